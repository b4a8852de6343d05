import type { AddonDoc, ClusterDoc, EksContext, UpdateDoc } from "./repo.ts";

// Stored documents → the JSON the EKS API returns. Timestamps go out as epoch seconds (JSON numbers): the
// JS SDK rejects ISO strings (eks-api.md §1).

export const seconds = (ms: number): number => ms / 1000;

/** The cluster's API server URL: the Kubernetes API Kumulus serves for it. */
export function endpointFor(ctx: EksContext, doc: ClusterDoc): string {
  return `${ctx.endpointBase}/clusters/${encodeURIComponent(doc.name)}`;
}

/**
 * The cluster's OIDC issuer, shaped like EKS's `https://oidc.eks.<region>.amazonaws.com/id/<ID>` so tools that
 * take the id after `/id/` keep working. The stack serves `<issuer>/.well-known/openid-configuration` and
 * `<issuer>/keys` (outside this router).
 */
export function issuerFor(ctx: EksContext, doc: ClusterDoc): string {
  return `${ctx.endpointBase}/oidc/id/${doc.id}`;
}

/** The cluster id in an issuer path (`/oidc/id/<ID>/...`), for the stack's discovery handler. */
export function issuerIdOf(pathname: string): string | undefined {
  return /^\/oidc\/id\/([0-9A-F]{32})(?:\/|$)/.exec(pathname)?.[1];
}

export function clusterOut(ctx: EksContext, doc: ClusterDoc): Record<string, unknown> {
  // Like EKS, a cluster that is not (yet) serving has no endpoint, CA or issuer to report.
  const serving = doc.status !== "CREATING" && doc.status !== "FAILED";
  const out: Record<string, unknown> = {
    name: doc.name,
    arn: doc.arn,
    createdAt: seconds(doc.createdAt),
    version: doc.version,
    ...(serving ? { endpoint: endpointFor(ctx, doc) } : {}),
    roleArn: doc.roleArn,
    resourcesVpcConfig: structuredClone(doc.resourcesVpcConfig),
    kubernetesNetworkConfig: structuredClone(doc.kubernetesNetworkConfig),
    logging: structuredClone(doc.logging),
    ...(serving ? { identity: { oidc: { issuer: issuerFor(ctx, doc) } } } : {}),
    status: doc.status,
    certificateAuthority: serving ? { data: ctx.caData } : {},
    platformVersion: doc.platformVersion,
    tags: { ...doc.tags },
    health: { issues: structuredClone(doc.healthIssues ?? []) },
    accessConfig: structuredClone(doc.accessConfig),
    upgradePolicy: { ...doc.upgradePolicy },
  };
  if (doc.clientRequestToken) out.clientRequestToken = doc.clientRequestToken;
  return out;
}

export function updateOut(u: UpdateDoc): Record<string, unknown> {
  return {
    id: u.id,
    status: u.status,
    type: u.type,
    params: u.params.map((p) => ({ ...p })),
    createdAt: seconds(u.createdAt),
    errors: u.errors.map((e) => ({ ...e, resourceIds: [...e.resourceIds] })),
  };
}

export function addonOut(cluster: string, a: AddonDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    addonName: a.addonName,
    clusterName: cluster,
    status: a.status,
    addonVersion: a.addonVersion,
    health: { issues: structuredClone(a.healthIssues ?? []) },
    addonArn: a.arn,
    createdAt: seconds(a.createdAt),
    modifiedAt: seconds(a.modifiedAt),
    tags: { ...a.tags },
  };
  if (a.serviceAccountRoleArn) out.serviceAccountRoleArn = a.serviceAccountRoleArn;
  if (a.configurationValues) out.configurationValues = a.configurationValues;
  return out;
}
