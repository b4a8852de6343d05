import { podIdentityAssociationsOf } from "../eks/pod-identity.ts";
import type { ClusterDoc } from "../eks/repo.ts";
import { mintRoleSession, roleByArn } from "../identity/iam/ops/session.ts";
import { evaluate, parsePolicy } from "../identity/iam/policy.ts";
import type { IamRepo } from "../identity/iam/repo.ts";
import { verifySaToken } from "../identity/sa-token.ts";
import type { ClusterIssuers } from "./sa-issuers.ts";

// The EKS Auth API's AssumeRoleForPodIdentity (POST /clusters/{name}/assume-role-for-pod-identity), what the
// Pod Identity agent on each node calls with a pod's projected token (audience pods.eks.amazonaws.com): the
// token must be the cluster's and still name a live pod's service account, an association must exist for
// that namespace and account, and the role's trust policy must let pods.eks.amazonaws.com assume and tag it.
// The answer carries the role session's credentials.

export const POD_IDENTITY_AUDIENCE = "pods.eks.amazonaws.com";
const PATH = /^\/clusters\/([^/]+)\/assume-role-for-pod-identity$/;

export function podIdentityCluster(method: string, path: string): string | undefined {
  if (method !== "POST") return undefined;
  const m = PATH.exec(path);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

export interface PodIdentityDeps {
  issuers: ClusterIssuers;
  doc: (name: string) => Promise<ClusterDoc | undefined>;
  iam: IamRepo;
  account: string;
}

function error(status: number, type: string, message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: { "content-type": "application/json", "x-amzn-ErrorType": type },
  });
}

/** The session name EKS gives: eks-<cluster>-<pod>-<uuid>, cut to STS's 64 characters. */
function sessionName(cluster: string, pod: string): string {
  return `eks-${cluster}-${pod}-${crypto.randomUUID()}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}

export async function assumeRoleForPodIdentity(
  deps: PodIdentityDeps,
  cluster: string,
  origin: string,
  body: unknown,
): Promise<Response> {
  const token = (body as { token?: unknown } | undefined)?.token;
  if (typeof token !== "string" || token === "")
    return error(400, "InvalidParameterException", "The token parameter is required.");
  const doc = await deps.doc(cluster);
  const found = doc && (await deps.issuers.forCluster(cluster, origin));
  if (!doc || !found)
    return error(404, "ResourceNotFoundException", `No cluster found for name: ${cluster}.`);
  const claims = await verifySaToken(token, found.key, found.issuer, [POD_IDENTITY_AUDIENCE], Date.now());
  if (!claims || claims.legacy || !claims.pod)
    return error(400, "InvalidTokenException", "The token is not valid for this cluster.");
  const association = podIdentityAssociationsOf(doc).find(
    (a) => a.namespace === claims.namespace && a.serviceAccount === claims.serviceAccount.name,
  );
  if (!association)
    return error(
      404,
      "ResourceNotFoundException",
      `No Pod Identity Association found for namespace ${claims.namespace} and service account ${claims.serviceAccount.name}.`,
    );
  const role = await roleByArn(deps.iam, deps.account, association.roleArn);
  const trust = role && parsePolicy(role.assumeRolePolicyDocument, "trust");
  const caller = { type: "Service" as const, ids: [POD_IDENTITY_AUDIENCE] };
  const allowed = (action: string) =>
    !!role && !!trust?.ok && evaluate([trust.policy], { action, resource: role.arn, caller }) === "allow";
  if (!role || !allowed("sts:AssumeRole") || (!association.disableSessionTags && !allowed("sts:TagSession")))
    return error(
      403,
      "AccessDeniedException",
      `Unable to assume role ${association.roleArn}: its trust policy must allow ${POD_IDENTITY_AUDIENCE} sts:AssumeRole and sts:TagSession.`,
    );
  const now = Date.now();
  const session = await mintRoleSession({
    repo: deps.iam,
    account: deps.account,
    now,
    role,
    sessionName: sessionName(cluster, claims.pod.name),
    durationSeconds: 6 * 3600,
    sessionPolicy: association.policy,
  });
  return new Response(
    JSON.stringify({
      subject: { namespace: claims.namespace, serviceAccount: claims.serviceAccount.name },
      audience: POD_IDENTITY_AUDIENCE,
      podIdentityAssociation: {
        associationArn: association.associationArn,
        associationId: association.associationId,
      },
      assumedRoleUser: { arn: session.assumedRoleArn, assumeRoleId: session.assumedRoleId },
      credentials: {
        sessionToken: session.sessionToken,
        secretAccessKey: session.secretAccessKey,
        accessKeyId: session.accessKeyId,
        expiration: Math.floor(session.expiration / 1000),
      },
    }),
    { headers: { "content-type": "application/json" } },
  );
}
