import { randomBytes } from "node:crypto";
import { EksError, eksErrors } from "./errors.ts";
import { partitionOf } from "./ids.ts";
import type { ClusterDoc, EksContext, PodIdentityAssociationDoc } from "./repo.ts";
import { seconds } from "./shapes.ts";

// EKS Pod Identity associations (eks-api.md §7, eks-auth.md §8): ids, ARNs, the rules the operations share,
// and the view the credential endpoint (AssumeRoleForPodIdentity) takes of them.

/** Kept inside the cluster document, which must stay one DynamoDB item: a Kumulus limit. */
export const MAX_ASSOCIATIONS = 200;

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `a-` and 17 lowercase alphanumerics, as EKS mints them (`a-kyevsbqhrnchy79jw`). */
export function newAssociationId(): string {
  const bytes = randomBytes(17);
  let out = "a-";
  // 36 does not divide 256, so the bias is slight; these ids are names, not secrets.
  for (const b of bytes) out += ID_ALPHABET[b % ID_ALPHABET.length];
  return out;
}

export function associationArn(ctx: EksContext, cluster: string, id: string): string {
  return `arn:${partitionOf(ctx.region)}:eks:${ctx.region}:${ctx.account}:podidentityassociation/${cluster}/${id}`;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

function invalid(cluster: string, message: string): EksError {
  return eksErrors.invalidParameter(message, { clusterName: cluster });
}

/** The role pods assume; it must be in the cluster's account (cross-account goes through targetRoleArn). */
export function checkRoleArn(ctx: EksContext, cluster: string, arn: string): void {
  const m = ROLE_ARN.exec(arn);
  if (!m) throw invalid(cluster, "The roleArn parameter format is not valid");
  if (m[2] !== ctx.account) throw invalid(cluster, "The roleArn must be in the same account as the cluster.");
}

export function checkTargetRoleArn(cluster: string, arn: string): void {
  if (!ROLE_ARN.test(arn)) throw invalid(cluster, "The targetRoleArn parameter format is not valid");
}

export function checkSubject(cluster: string, namespace: string, serviceAccount: string): void {
  if (namespace.length > 63 || !DNS_LABEL.test(namespace))
    throw invalid(cluster, `The namespace ${namespace} is not a valid Kubernetes namespace name.`);
  if (serviceAccount.length > 253 || !DNS_SUBDOMAIN.test(serviceAccount))
    throw invalid(
      cluster,
      `The serviceAccount ${serviceAccount} is not a valid Kubernetes service account name.`,
    );
}

/** A session policy: a JSON object of at most 2048 characters. */
export function checkPolicy(cluster: string, policy: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    parsed = undefined;
  }
  if (policy.length > 2048 || parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw invalid(cluster, "The policy is not a valid JSON policy document.");
}

/** The association `id` on the cluster, or EKS's errors for a malformed or unknown id. */
export function associationOf(doc: ClusterDoc, id: string): PodIdentityAssociationDoc {
  if (id.length !== 19) throw invalid(doc.name, "The parameter associationId should be 19 characters long.");
  const a = doc.podIdentityAssociations?.[id];
  if (!a)
    throw new EksError("ResourceNotFoundException", `No association found for id: ${id}.`, {
      clusterName: doc.name,
    });
  return a;
}

export function associationOut(cluster: string, a: PodIdentityAssociationDoc): Record<string, unknown> {
  return {
    clusterName: cluster,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    roleArn: a.roleArn,
    associationArn: a.arn,
    associationId: a.associationId,
    tags: { ...a.tags },
    createdAt: seconds(a.createdAt),
    modifiedAt: seconds(a.modifiedAt),
    disableSessionTags: a.disableSessionTags,
    ...(a.ownerArn ? { ownerArn: a.ownerArn } : {}),
    ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
    ...(a.externalId ? { externalId: a.externalId } : {}),
    ...(a.policy ? { policy: a.policy } : {}),
  };
}

export function associationSummaryOut(
  cluster: string,
  a: PodIdentityAssociationDoc,
): Record<string, unknown> {
  return {
    clusterName: cluster,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    associationArn: a.arn,
    associationId: a.associationId,
    ...(a.ownerArn ? { ownerArn: a.ownerArn } : {}),
  };
}

/** What the Pod Identity credential endpoint needs of one association. */
export interface PodIdentityAssociationView {
  associationId: string;
  associationArn: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  externalId?: string;
  disableSessionTags: boolean;
  policy?: string;
}

export function podIdentityAssociationsOf(doc: ClusterDoc): PodIdentityAssociationView[] {
  return Object.values(doc.podIdentityAssociations ?? {}).map((a) => ({
    associationId: a.associationId,
    associationArn: a.arn,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    roleArn: a.roleArn,
    ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
    ...(a.externalId ? { externalId: a.externalId } : {}),
    disableSessionTags: a.disableSessionTags,
    ...(a.policy ? { policy: a.policy } : {}),
  }));
}
