import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import type { ClusterSigningKey } from "./sa-keys.ts";

// Service-account tokens as kube-apiserver mints them: bound tokens (TokenRequest, projected volumes) carry
// the `kubernetes.io` claim naming the service account and the pod or Secret they are bound to; legacy
// tokens (kubernetes.io/service-account-token Secrets) carry the flat `kubernetes.io/serviceaccount/*`
// claims and the issuer "kubernetes/serviceaccount", and never expire. Signing and checking are pure; whether
// the objects a token names still exist is the authenticator's concern.

export const LEGACY_ISSUER = "kubernetes/serviceaccount";
/** The audience kube-apiserver accepts by default (EKS's too). */
export const API_AUDIENCE = "https://kubernetes.default.svc";

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface BoundTokenInput {
  issuer: string;
  audiences: string[];
  expirationSeconds: number;
  /** Epoch ms. */
  now: number;
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

/** What a verified token says, for the authenticator. */
export interface SaTokenClaims {
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  legacy: boolean;
  /** Epoch ms; undefined for legacy tokens. */
  expiresAt?: number;
}

export async function signBoundToken(key: ClusterSigningKey, t: BoundTokenInput): Promise<string> {
  const iat = Math.floor(t.now / 1000);
  const k8s: Record<string, unknown> = { namespace: t.namespace, serviceaccount: t.serviceAccount };
  if (t.pod) k8s.pod = t.pod;
  if (t.secret) k8s.secret = t.secret;
  if (t.node) k8s.node = t.node;
  return new SignJWT({ "kubernetes.io": k8s })
    .setProtectedHeader({ alg: "RS256", kid: key.kid })
    .setIssuer(t.issuer)
    .setSubject(`system:serviceaccount:${t.namespace}:${t.serviceAccount.name}`)
    .setAudience(t.audiences)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + t.expirationSeconds)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}

export async function signLegacyToken(
  key: ClusterSigningKey,
  namespace: string,
  serviceAccount: ObjectRef,
  secretName: string,
): Promise<string> {
  return new SignJWT({
    "kubernetes.io/serviceaccount/namespace": namespace,
    "kubernetes.io/serviceaccount/secret.name": secretName,
    "kubernetes.io/serviceaccount/service-account.name": serviceAccount.name,
    "kubernetes.io/serviceaccount/service-account.uid": serviceAccount.uid,
  })
    .setProtectedHeader({ alg: "RS256", kid: key.kid })
    .setIssuer(LEGACY_ISSUER)
    .setSubject(`system:serviceaccount:${namespace}:${serviceAccount.name}`)
    .sign(key.privateKey);
}

/** Cheap pre-check: a compact JWS with an RS256 header, so other bearer tokens are left to other authenticators. */
export function looksLikeJwt(token: string): boolean {
  if (token.length > 16 * 1024 || token.split(".").length !== 3) return false;
  try {
    return decodeProtectedHeader(token).alg === "RS256";
  } catch {
    return false;
  }
}

/** The unverified issuer, to pick which issuer (and so which key) to verify against. */
export function unverifiedIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

function ref(v: unknown): ObjectRef | undefined {
  if (!v || typeof v !== "object") return undefined;
  const r = v as Record<string, unknown>;
  const name = str(r.name);
  const uid = str(r.uid);
  return name && uid ? { name, uid } : undefined;
}

/**
 * Verifies signature, issuer, audience and time (bound tokens) and returns the claims, or undefined. Legacy
 * tokens are checked against LEGACY_ISSUER and need no audience, as kube-apiserver's legacy validator.
 */
export async function verifySaToken(
  token: string,
  key: ClusterSigningKey,
  issuer: string,
  audiences: string[],
  now: number,
): Promise<SaTokenClaims | undefined> {
  const legacy = unverifiedIssuer(token) === LEGACY_ISSUER;
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: ["RS256"],
      issuer: legacy ? LEGACY_ISSUER : issuer,
      ...(legacy ? {} : { audience: audiences, requiredClaims: ["exp"] }),
      currentDate: new Date(now),
    });
    if (legacy) {
      const namespace = str(payload["kubernetes.io/serviceaccount/namespace"]);
      const name = str(payload["kubernetes.io/serviceaccount/service-account.name"]);
      const uid = str(payload["kubernetes.io/serviceaccount/service-account.uid"]);
      const secret = str(payload["kubernetes.io/serviceaccount/secret.name"]);
      if (!namespace || !name || !uid || !secret) return undefined;
      return { namespace, serviceAccount: { name, uid }, secret: { name: secret, uid: "" }, legacy: true };
    }
    const k8s = payload["kubernetes.io"] as Record<string, unknown> | undefined;
    const namespace = str(k8s?.namespace);
    const sa = ref(k8s?.serviceaccount);
    if (!namespace || !sa) return undefined;
    if (payload.sub !== `system:serviceaccount:${namespace}:${sa.name}`) return undefined;
    return {
      namespace,
      serviceAccount: sa,
      ...(ref(k8s?.pod) ? { pod: ref(k8s?.pod) } : {}),
      ...(ref(k8s?.secret) ? { secret: ref(k8s?.secret) } : {}),
      legacy: false,
      expiresAt: (payload.exp ?? 0) * 1000,
    };
  } catch {
    return undefined;
  }
}
