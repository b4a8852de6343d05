import { defaultUsername, type EntryPrincipal, parsePrincipal } from "../identity/entry-principal.ts";
import { CLUSTER_ADMIN_POLICY_ARN } from "./access-policies-list.ts";
import { EksError, eksErrors } from "./errors.ts";
import { newUuid, partitionOf } from "./ids.ts";
import type { AccessEntryDoc, AccessScopeDoc, ClusterDoc, EksContext } from "./repo.ts";
import { seconds } from "./shapes.ts";

// Access entries (eks-api.md §6, eks-auth.md §5): the rules every access-entry operation shares, the JSON
// they answer with, and the read-only view the authenticator takes of a cluster's entries.

export const ENTRY_TYPES = [
  "STANDARD",
  "FARGATE_LINUX",
  "EC2_LINUX",
  "EC2_WINDOWS",
  "EC2",
  "HYBRID_LINUX",
  "HYPERPOD_LINUX",
] as const;

/**
 * Entries are stored inside the cluster document, which must stay one DynamoDB item (400 KB): a Kumulus
 * limit, answered as EKS answers a quota.
 */
export const MAX_ACCESS_ENTRIES = 200;

const RESERVED_PREFIXES = ["system:", "eks:", "aws:", "amazon:", "iam:"];

/** Checks a principal for an entry of `type`; STS session ARNs and anything not an IAM user or role fail. */
export function checkPrincipal(ctx: EksContext, cluster: string, arn: string, type: string): EntryPrincipal {
  const invalid = (m: string) => eksErrors.invalidParameter(m, { clusterName: cluster });
  const p = parsePrincipal(arn);
  if (!p) throw invalid("The principalArn parameter format is not valid");
  if (p.kind === "role" && (p.path === "aws-service-role" || p.path.startsWith("aws-service-role/")))
    throw invalid("The principalArn can't be a service-linked role.");
  if (type !== "STANDARD") {
    if (p.kind !== "role")
      throw invalid(`The principalArn must be an IAM role for access entries of type ${type}.`);
    if (p.account !== ctx.account)
      throw invalid(
        `The principalArn must be in the same account as the cluster for access entries of type ${type}.`,
      );
  }
  return p;
}

export function checkType(cluster: string, type: string): void {
  if (!(ENTRY_TYPES as readonly string[]).includes(type))
    throw eksErrors.invalidParameter(
      `The type ${type} is not valid. Valid types are: ${ENTRY_TYPES.join(", ")}.`,
      { clusterName: cluster },
    );
}

/** A custom username: no reserved prefix, and `{{SessionName}}` only after a `:` (EKS user guide). */
export function checkUsername(cluster: string, username: string): void {
  const invalid = (m: string) => eksErrors.invalidParameter(m, { clusterName: cluster });
  const lower = username.toLowerCase();
  for (const prefix of RESERVED_PREFIXES)
    if (lower.startsWith(prefix)) throw invalid(`The username must not begin with ${prefix}`);
  const at = username.search(/\{\{SessionName(Raw)?\}\}/);
  if (at >= 0 && !username.slice(0, at).includes(":"))
    throw invalid("The username must contain a ':' before {{SessionName}}.");
}

export function checkGroups(cluster: string, type: string, groups: string[]): void {
  const invalid = (m: string) => eksErrors.invalidParameter(m, { clusterName: cluster });
  if (groups.length > 0 && type !== "STANDARD")
    throw invalid(`kubernetesGroups can't be specified for access entries of type ${type}.`);
  for (const g of groups) {
    const prefix = RESERVED_PREFIXES.find((p) => g.toLowerCase().startsWith(p));
    if (prefix) throw invalid(`The kubernetes group name ${g} is invalid, it cannot start with ${prefix}`);
  }
}

/** The groups EKS gives node entries itself (the CLI example's EC2_LINUX entry shows ["system:nodes"]). */
export function defaultGroups(type: string): string[] {
  return type === "EC2_LINUX" || type === "EC2_WINDOWS" ? ["system:nodes"] : [];
}

export function accessEntryArn(ctx: EksContext, cluster: string, p: EntryPrincipal): string {
  return `arn:${partitionOf(ctx.region)}:eks:${ctx.region}:${ctx.account}:access-entry/${cluster}/${p.kind}/${p.account}/${p.name}/${newUuid()}`;
}

/** Refuses the access-entry API on a cluster that reads only the aws-auth ConfigMap, as EKS does. */
export function requireApiMode(doc: ClusterDoc): void {
  if (doc.accessConfig.authenticationMode === "CONFIG_MAP")
    throw eksErrors.invalidRequest(
      "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
      { clusterName: doc.name },
    );
}

export function entryNotFound(cluster: string): EksError {
  return new EksError(
    "ResourceNotFoundException",
    "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.",
    { clusterName: cluster },
  );
}

/** The entry for `principalArn` on an API-mode cluster, or EKS's errors. */
export function entryOf(doc: ClusterDoc, principalArn: string): AccessEntryDoc {
  requireApiMode(doc);
  const entry = doc.accessEntries?.[principalArn];
  if (!entry) throw entryNotFound(doc.name);
  return entry;
}

/**
 * The entry EKS creates for the cluster's creator when bootstrapClusterCreatorAdminPermissions is set:
 * STANDARD, default username and groups, AmazonEKSClusterAdminPolicy at cluster scope.
 */
export function creatorEntry(ctx: EksContext, doc: ClusterDoc, now: number): AccessEntryDoc | undefined {
  const creator = doc.creatorArn;
  const p = creator ? parsePrincipal(creator) : undefined;
  if (!creator || !p) return undefined;
  return {
    principalArn: creator,
    type: "STANDARD",
    kubernetesGroups: [],
    arn: accessEntryArn(ctx, doc.name, p),
    createdAt: now,
    modifiedAt: now,
    tags: {},
    policies: {
      [CLUSTER_ADMIN_POLICY_ARN]: {
        accessScope: { type: "cluster", namespaces: [] },
        associatedAt: now,
        modifiedAt: now,
      },
    },
  };
}

/** Adds the creator's entry when the document's settings call for one and it does not exist yet. */
export function bootstrapCreatorEntry(ctx: EksContext, doc: ClusterDoc, now: number): void {
  if (doc.accessConfig.authenticationMode === "CONFIG_MAP") return;
  if (!doc.accessConfig.bootstrapClusterCreatorAdminPermissions || !doc.creatorArn) return;
  if (doc.accessEntries?.[doc.creatorArn]) return;
  const entry = creatorEntry(ctx, doc, now);
  if (entry) doc.accessEntries = { ...(doc.accessEntries ?? {}), [entry.principalArn]: entry };
}

export function entryOut(cluster: string, e: AccessEntryDoc): Record<string, unknown> {
  return {
    clusterName: cluster,
    principalArn: e.principalArn,
    kubernetesGroups: [...e.kubernetesGroups],
    accessEntryArn: e.arn,
    createdAt: seconds(e.createdAt),
    modifiedAt: seconds(e.modifiedAt),
    tags: { ...e.tags },
    username: e.username ?? defaultUsername(e.principalArn, e.type),
    type: e.type,
  };
}

export function associatedPolicyOut(policyArn: string, e: AccessEntryDoc): Record<string, unknown> {
  const a = e.policies[policyArn];
  return {
    policyArn,
    accessScope: { type: a.accessScope.type, namespaces: [...a.accessScope.namespaces] },
    associatedAt: seconds(a.associatedAt),
    modifiedAt: seconds(a.modifiedAt),
  };
}

/** What the authenticator and authorizer need of one entry. */
export interface AccessEntryView {
  principalArn: string;
  type: string;
  /** Set only when the entry has a custom username; otherwise the type's default applies. */
  username?: string;
  kubernetesGroups: string[];
  policies: { policyArn: string; accessScope: AccessScopeDoc }[];
}

/**
 * The cluster's access entries as the authenticator reads them; [] in CONFIG_MAP mode, where EKS ignores
 * them. Callers that also honour aws-auth check `doc.accessConfig.authenticationMode` themselves.
 */
export function accessEntriesOf(doc: ClusterDoc): AccessEntryView[] {
  if (doc.accessConfig.authenticationMode === "CONFIG_MAP") return [];
  return Object.values(doc.accessEntries ?? {}).map((e) => ({
    principalArn: e.principalArn,
    type: e.type,
    ...(e.username !== undefined ? { username: e.username } : {}),
    kubernetesGroups: [...e.kubernetesGroups],
    policies: Object.entries(e.policies).map(([policyArn, a]) => ({
      policyArn,
      accessScope: { type: a.accessScope.type, namespaces: [...a.accessScope.namespaces] },
    })),
  }));
}
