import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import { signLegacyToken } from "../../identity/sa-token.ts";
import type { AdmissionPlugin } from "./index.ts";

// Legacy service-account token Secrets (type kubernetes.io/service-account-token). kube's tokens controller
// fills them in moments after they are created; here that happens as the Secret is admitted, which a user
// cannot tell apart except that `kubectl get secret` shows the token at once. The Secret names its account in
// the kubernetes.io/service-account.name annotation and is stamped with the account's uid; a Secret naming
// an account that does not exist is stored without a token, as kube leaves it until its controller cleans up.

const TYPE = "kubernetes.io/service-account-token";
const NAME = "kubernetes.io/service-account.name";
const UID = "kubernetes.io/service-account.uid";

type Secret = KubeObject & { type?: string; data?: Record<string, string> };

export const serviceAccountTokenSecrets: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || ctx.kind.group !== "" || ctx.kind.plural !== "secrets") return;
  const secret = obj as Secret;
  if (secret.type !== TYPE || !ctx.serviceAccounts) return;
  const annotations = secret.metadata.annotations ?? {};
  const saName = annotations[NAME];
  if (!saName)
    throw errors.invalid("Secret", "", secret.metadata.name ?? "", [
      { type: "FieldValueRequired", field: `metadata.annotations[${NAME}]`, message: "Required value" },
    ]);
  const namespace = secret.metadata.namespace ?? "";
  const sa = await ctx.store.get({
    cluster: ctx.cluster,
    group: "",
    plural: "serviceaccounts",
    namespace,
    name: saName,
  });
  if (!sa) return;
  const found = await ctx.serviceAccounts.forCluster(ctx.cluster, new URL(ctx.request.url).origin);
  if (!found) return;
  const uid = sa.metadata.uid ?? "";
  const token = await signLegacyToken(
    found.key,
    namespace,
    { name: saName, uid },
    secret.metadata.name ?? "",
  );
  secret.metadata.annotations = { ...annotations, [UID]: uid };
  secret.data = {
    ...(secret.data ?? {}),
    token: Buffer.from(token).toString("base64"),
    namespace: Buffer.from(namespace).toString("base64"),
    ...(found.caData ? { "ca.crt": found.caData } : {}),
  };
};
