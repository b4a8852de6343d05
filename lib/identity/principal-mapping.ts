import { parse } from "yaml";
import type { UserInfo } from "../api/user.ts";
import type { AccessGrant } from "./access-policies.ts";
import { defaultUsername, samePrincipal } from "./entry-principal.ts";
import type { Principal } from "./iam/credentials.ts";

// From a verified IAM principal to a Kubernetes user, as EKS maps it: the cluster creator (with
// bootstrapClusterCreatorAdminPermissions) is an admin of the control plane, then the kube-system/aws-auth
// ConfigMap's mapRoles, mapUsers and mapAccounts (authenticationMode CONFIG_MAP or API_AND_CONFIG_MAP).
// Role sessions match by their role's canonical ARN (arn:aws:iam::A:role/NAME, no path), case-insensitively.

export interface ClusterAccess {
  authenticationMode: "API" | "API_AND_CONFIG_MAP" | "CONFIG_MAP";
  bootstrapClusterCreatorAdminPermissions: boolean;
  creatorArn?: string;
  /**
   * Whether the creator's admin rights live in an access entry (API modes on clusters that have entries):
   * then only that entry counts, and deleting it takes them away, as on EKS.
   */
  entriesBootstrapped?: boolean;
}

interface Mapping {
  arn: string;
  username: string;
  groups: string[];
}

export interface AwsAuthMap {
  roles: Mapping[];
  users: Mapping[];
  accounts: string[];
}

/** The canonical ARN aws-iam-authenticator matches on: a role session becomes its role, without path. */
export function canonicalArn(p: Principal): string {
  if (p.type !== "assumed-role") return p.arn;
  const m = /^arn:([^:]+):sts::(\d+):assumed-role\/(.+)\/[^/]+$/.exec(p.arn);
  if (!m) return p.arn;
  const role = m[3].split("/").pop();
  return `arn:${m[1]}:iam::${m[2]}:role/${role}`;
}

function list(text: unknown): unknown[] {
  if (typeof text !== "string" || ["", '""', "''", "``"].includes(text.trim())) return [];
  try {
    const v = parse(text);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

function mappingOf(e: unknown, key: "rolearn" | "userarn"): Mapping | undefined {
  if (!e || typeof e !== "object") return undefined;
  const r = e as Record<string, unknown>;
  const arn = r[key];
  if (typeof arn !== "string" || !arn) return undefined;
  // aws-auth role ARNs may not carry a path: such a row never matches.
  if (key === "rolearn" && /:role\/.+\/.+/.test(arn)) return undefined;
  const groups = Array.isArray(r.groups) ? r.groups.filter((g): g is string => typeof g === "string") : [];
  return { arn: arn.toLowerCase(), username: typeof r.username === "string" ? r.username : "", groups };
}

/** Parses the aws-auth ConfigMap's data; bad rows are dropped and the rest kept, as the authenticator does. */
export function parseAwsAuth(data: Record<string, string> | undefined): AwsAuthMap {
  const d = data ?? {};
  return {
    roles: list(d.mapRoles).flatMap((e) => mappingOf(e, "rolearn") ?? []),
    users: list(d.mapUsers).flatMap((e) => mappingOf(e, "userarn") ?? []),
    accounts: list(d.mapAccounts).map(String),
  };
}

/** Renders {{AccountID}}, {{SessionName}} (@ → -), {{SessionNameRaw}}, {{AccessKeyID}}; undefined if unknown. */
export function renderTemplate(t: string, p: Principal): string | undefined {
  let unknown = false;
  const out = t.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    switch (name) {
      case "AccountID":
        return p.account;
      case "SessionName":
        return (p.sessionName ?? "").replaceAll("@", "-");
      case "SessionNameRaw":
        return p.sessionName ?? "";
      case "AccessKeyID":
        return p.accessKeyId ?? "";
      default:
        // {{EC2PrivateDNSName}} needs an instance behind the session; there is none for an IAM user.
        unknown = true;
        return "";
    }
  });
  return unknown ? undefined : out;
}

function userOf(p: Principal, username: string, groups: string[]): UserInfo {
  const arn = canonicalArn(p);
  const id = p.type === "assumed-role" ? p.userId.split(":")[0] : p.userId;
  return {
    username,
    uid: `aws-iam-authenticator:${p.account}:${id}`,
    groups: [...new Set([...groups, "system:authenticated"])],
    extra: {
      arn: [p.arn],
      canonicalArn: [arn],
      sessionName: [p.sessionName ?? ""],
      accessKeyId: [p.accessKeyId ?? ""],
      principalId: [p.userId],
      "sigs.k8s.io/aws-iam-authenticator/principalId": [p.userId],
    },
  };
}

/** What an access entry contributes to a caller: the user it maps to and its access policies. */
export interface EntryMapping {
  principalArn: string;
  type: string;
  /** Only a username the entry's owner chose; otherwise the type's default applies. */
  username?: string;
  kubernetesGroups: string[];
  policies: AccessGrant[];
}

export interface MappedCaller {
  user: UserInfo;
  /** EKS access policies of the caller's access entry, evaluated before RBAC. */
  grants: AccessGrant[];
}

function fromEntry(p: Principal, e: EntryMapping): MappedCaller | undefined {
  const username = renderTemplate(e.username ?? defaultUsername(e.principalArn, e.type), p);
  if (username === undefined) return undefined;
  return { user: userOf(p, username, e.kubernetesGroups), grants: e.policies };
}

function fromAwsAuth(p: Principal, awsAuth: AwsAuthMap): UserInfo | undefined {
  const arn = canonicalArn(p);
  const key = arn.toLowerCase();
  const row =
    (p.type === "assumed-role" ? awsAuth.roles : awsAuth.users).find((m) => m.arn === key) ??
    awsAuth.roles.find((m) => m.arn === key);
  if (row) {
    const username = renderTemplate(row.username || arn, p);
    if (username === undefined) return undefined;
    const groups = row.groups.map((g) => renderTemplate(g, p)).filter((g): g is string => !!g);
    return userOf(p, username, groups);
  }
  if (awsAuth.accounts.includes(p.account)) return userOf(p, arn, []);
  return undefined;
}

/**
 * The caller `p` is on a cluster, or undefined when nothing maps it (the request is then 401), with EKS's
 * precedence: in the API modes an access entry for the principal wins; in CONFIG_MAP mode the creator is
 * an invisible system:masters member; then aws-auth, unless the mode is API.
 */
export function mapPrincipal(
  p: Principal,
  access: ClusterAccess,
  awsAuth: AwsAuthMap,
  entries: readonly EntryMapping[] = [],
): MappedCaller | undefined {
  const arn = canonicalArn(p);
  if (access.authenticationMode !== "CONFIG_MAP") {
    const entry = entries.find((e) => samePrincipal(e.principalArn, arn));
    if (entry) return fromEntry(p, entry);
  }
  const creator = !!access.creatorArn && samePrincipal(access.creatorArn, arn);
  // Without an entry of its own (a cluster made before access entries), the creator keeps its admin rights.
  if (creator && access.bootstrapClusterCreatorAdminPermissions && !access.entriesBootstrapped)
    return { user: userOf(p, "kubernetes-admin", ["system:masters"]), grants: [] };
  if (access.authenticationMode === "API") return undefined;
  const user = fromAwsAuth(p, awsAuth);
  return user ? { user, grants: [] } : undefined;
}
