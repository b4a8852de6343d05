import type { KubeObject } from "../../api/types.ts";
import type { ResourceContext } from "../context.ts";
import type { AdmissionPlugin } from "./index.ts";
import { POD_IDENTITY_VOLUME } from "./pod-identity.ts";
import { type EnvVar, injectTokenVolume, type PodSpec } from "./token-volume.ts";

// IAM roles for service accounts: what EKS's pod identity webhook does to a new pod whose ServiceAccount is
// annotated eks.amazonaws.com/role-arn (eks-auth.md §7). Every container and init container (except those
// the pod's eks.amazonaws.com/skip-containers names) gets the role and token-file variables, unless it sets
// them itself, and a read-only mount of a projected token for STS; the SDKs then call
// AssumeRoleWithWebIdentity with it. The volume is named aws-iam-token, as the webhook EKS runs names it.

const PREFIX = "eks.amazonaws.com/";
const TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
const VOLUME = "aws-iam-token";
const DEFAULT_EXPIRATION = 86400;

type Pod = KubeObject & { spec?: PodSpec };

// Every pod create asks for its account's annotations, and a ReplicaSet creates many pods of one account at
// once: keep them a second per account, as EKS's webhook reads accounts from an informer cache.
const annotations = new Map<string, { at: number; value: Promise<Record<string, string>> }>();
const TTL_MS = 1000;

function serviceAccountAnnotations(
  ctx: ResourceContext,
  namespace: string,
  name: string,
): Promise<Record<string, string>> {
  const key = `${ctx.cluster}/${namespace}/${name}`;
  const hit = annotations.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = ctx.store
    .get({ cluster: ctx.cluster, group: "", plural: "serviceaccounts", namespace, name })
    .then((sa) => sa?.metadata.annotations ?? {});
  if (annotations.size > 10_000) annotations.clear();
  annotations.set(key, { at: Date.now(), value });
  value.catch(() => annotations.delete(key));
  return value;
}

function expiration(value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n)) return DEFAULT_EXPIRATION;
  return Math.min(86400, Math.max(600, n));
}

export const irsaAdmission: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || ctx.kind.group !== "" || ctx.kind.plural !== "pods") return;
  const pod = obj as Pod;
  const spec = pod.spec;
  // Pod Identity, when it applied first, wins over IRSA.
  if (!spec || (spec.volumes ?? []).some((v) => v.name === VOLUME || v.name === POD_IDENTITY_VOLUME)) return;
  const namespace = pod.metadata.namespace ?? ctx.path.namespace ?? "";
  const a = await serviceAccountAnnotations(ctx, namespace, spec.serviceAccountName || "default");
  const roleArn = a[`${PREFIX}role-arn`];
  if (!roleArn) return;
  const podAnnotations = pod.metadata.annotations ?? {};
  const skip = new Set((podAnnotations[`${PREFIX}skip-containers`] ?? "").split(",").map((s) => s.trim()));
  const region = ctx.region;
  const env: EnvVar[] = [
    { name: "AWS_ROLE_ARN", value: roleArn },
    { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: `${TOKEN_DIR}/token` },
    ...(a[`${PREFIX}sts-regional-endpoints`] === "true"
      ? [{ name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" }]
      : []),
    ...(region
      ? [
          { name: "AWS_DEFAULT_REGION", value: region },
          { name: "AWS_REGION", value: region },
        ]
      : []),
  ];
  injectTokenVolume(
    spec,
    env,
    {
      volume: VOLUME,
      mountPath: TOKEN_DIR,
      audience: a[`${PREFIX}audience`] || "sts.amazonaws.com",
      expirationSeconds: expiration(
        podAnnotations[`${PREFIX}token-expiration`] ?? a[`${PREFIX}token-expiration`],
      ),
      path: "token",
    },
    skip,
  );
};
