import type { KubeObject } from "../api/types.ts";
import type { ClusterSigningKey } from "../identity/sa-keys.ts";
import { API_AUDIENCE, looksLikeJwt, type SaTokenClaims, verifySaToken } from "../identity/sa-token.ts";
import { log } from "../log.ts";
import type { Store } from "../store/store.ts";
import { type Authenticator, unauthorized } from "./pipeline.ts";

// Service-account tokens as credentials (kube's ServiceAccount token authenticator). A token is accepted
// only at the cluster whose key signed it and whose issuer it names, and only while what it names still
// exists with the same uid: the ServiceAccount, and the Pod or Secret a bound token is bound to (a legacy
// token needs its Secret, still holding that very token). Deleting any of them revokes the token at once.

/** Each cluster's issuer URL and signing key, as the entry point knows them. */
export interface ServiceAccountIssuer {
  /** `origin` is the scheme and host the request reached, for stacks that do not know their own URL. */
  forCluster(
    cluster: string,
    origin: string,
  ): Promise<{ issuer: string; key: ClusterSigningKey; caData?: string } | undefined>;
  /** Whether an EKS Pod Identity association exists for the account (its pods then get the agent's env). */
  hasPodIdentity?(cluster: string, namespace: string, serviceAccount: string): Promise<boolean>;
}

/** The audiences the API server accepts: kube's default and the cluster's own issuer. */
export function apiAudiences(issuer: string): string[] {
  return [API_AUDIENCE, issuer];
}

async function getObject(store: Store, cluster: string, plural: string, namespace: string, name: string) {
  return (await store.get({ cluster, group: "", plural, namespace, name })) as KubeObject | undefined;
}

const live = (o: KubeObject | undefined, uid?: string) =>
  !!o && !o.metadata.deletionTimestamp && (uid === undefined || uid === "" || o.metadata.uid === uid);

/** Why the token is no longer good, or undefined when everything it names is still there. */
async function revoked(store: Store, cluster: string, token: string, c: SaTokenClaims) {
  const sa = await getObject(store, cluster, "serviceaccounts", c.namespace, c.serviceAccount.name);
  if (!live(sa, c.serviceAccount.uid)) return "service account deleted or recreated";
  if (c.pod && !live(await getObject(store, cluster, "pods", c.namespace, c.pod.name), c.pod.uid))
    return "bound pod deleted";
  if (c.secret) {
    const secret = await getObject(store, cluster, "secrets", c.namespace, c.secret.name);
    if (!live(secret, c.secret.uid)) return "bound secret deleted";
    if (c.legacy) {
      const data = (secret as KubeObject & { data?: Record<string, string> }).data;
      if (data?.token !== Buffer.from(token).toString("base64")) return "secret no longer holds this token";
    }
  }
  return undefined;
}

export function serviceAccountAuthenticator(store: Store, issuers: ServiceAccountIssuer): Authenticator {
  return async (req, cluster) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    if (!token || !looksLikeJwt(token)) return undefined;
    const refuse = (why: string) => {
      log("info", "service account token refused", { cluster, reason: why });
      return unauthorized();
    };
    const found = await issuers.forCluster(cluster, new URL(req.url).origin);
    if (!found) throw refuse("no such cluster");
    const claims = await verifySaToken(
      token,
      found.key,
      found.issuer,
      apiAudiences(found.issuer),
      Date.now(),
    );
    if (!claims) throw refuse("invalid signature, issuer, audience or expiry");
    const why = await revoked(store, cluster, token, claims);
    if (why) throw refuse(why);
    const ns = claims.namespace;
    const extra: Record<string, string[]> = {};
    if (claims.pod) {
      extra["authentication.kubernetes.io/pod-name"] = [claims.pod.name];
      extra["authentication.kubernetes.io/pod-uid"] = [claims.pod.uid];
    }
    return {
      user: {
        username: `system:serviceaccount:${ns}:${claims.serviceAccount.name}`,
        uid: claims.serviceAccount.uid,
        groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
        ...(Object.keys(extra).length > 0 ? { extra } : {}),
      },
    };
  };
}
