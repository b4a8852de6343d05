import type { KubeObject } from "../../api/types.ts";
import type { AdmissionPlugin } from "./index.ts";
import { injectTokenVolume, type PodSpec } from "./token-volume.ts";

// EKS Pod Identity: what EKS's webhook does to a new pod whose service account has a Pod Identity
// association (eks-auth.md §8). Every container and init container gets the agent's credential URL and the
// token file variables, unless it sets them, and a read-only mount of a projected token for
// pods.eks.amazonaws.com, which the agent trades through AssumeRoleForPodIdentity. This runs before the IRSA
// plugin: when both apply, the container-credentials patch wins, as in EKS's webhook.

export const POD_IDENTITY_VOLUME = "eks-pod-identity-token";
const TOKEN_DIR = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";

type Pod = KubeObject & { spec?: PodSpec };

export const podIdentityAdmission: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || ctx.kind.group !== "" || ctx.kind.plural !== "pods") return;
  const lookup = ctx.serviceAccounts?.hasPodIdentity;
  const spec = (obj as Pod).spec;
  if (!lookup || !spec) return;
  const namespace = obj.metadata.namespace ?? ctx.path.namespace ?? "";
  const sa = spec.serviceAccountName || "default";
  if (!(await lookup.call(ctx.serviceAccounts, ctx.cluster, namespace, sa))) return;
  const env = [
    { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials" },
    { name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", value: `${TOKEN_DIR}/${POD_IDENTITY_VOLUME}` },
  ];
  injectTokenVolume(spec, env, {
    volume: POD_IDENTITY_VOLUME,
    mountPath: TOKEN_DIR,
    audience: "pods.eks.amazonaws.com",
    expirationSeconds: 86400,
    path: POD_IDENTITY_VOLUME,
  });
};
