import type { KubeObject } from "../../api/types.ts";
import type { AdmissionPlugin } from "./index.ts";

// EKS Pod Identity: what EKS's webhook does to a new pod whose service account has a Pod Identity
// association (eks-auth.md §8). Every container and init container gets the agent's credential URL and the
// token file variables, unless it sets them, and a read-only mount of a projected token for
// pods.eks.amazonaws.com, which the agent trades through AssumeRoleForPodIdentity. This runs before the IRSA
// plugin: when both apply, the container-credentials patch wins, as in EKS's webhook.

export const POD_IDENTITY_VOLUME = "eks-pod-identity-token";
const TOKEN_DIR = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
type Pod = KubeObject & {
  spec?: {
    serviceAccountName?: string;
    containers?: Container[];
    initContainers?: Container[];
    volumes?: unknown[];
  };
};

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
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const have = new Set((c.env ?? []).map((e) => e.name));
    c.env = [...(c.env ?? []), ...env.filter((e) => !have.has(e.name))];
    c.volumeMounts = [
      ...(c.volumeMounts ?? []),
      { name: POD_IDENTITY_VOLUME, mountPath: TOKEN_DIR, readOnly: true },
    ];
  }
  spec.volumes = [
    ...(spec.volumes ?? []),
    {
      name: POD_IDENTITY_VOLUME,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: "pods.eks.amazonaws.com",
              expirationSeconds: 86400,
              path: POD_IDENTITY_VOLUME,
            },
          },
        ],
      },
    },
  ];
};
