import type { ClusterSigningKey } from "../identity/sa-keys.ts";

// OpenID Connect discovery for a cluster's service-account issuer, as EKS serves it at
// `<issuer>/.well-known/openid-configuration` and `<issuer>/keys` (and kube at its own
// /.well-known/openid-configuration and /openid/v1/jwks): what STS and other relying parties fetch to
// verify the cluster's tokens.

export const OIDC_PATHS = new Set([
  "/.well-known/openid-configuration",
  "/.well-known/openid-configuration/",
  "/openid/v1/jwks",
  "/openid/v1/jwks/",
]);

export function openidConfiguration(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/keys`,
    authorization_endpoint: "urn:kubernetes:programmatic_authorization",
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    claims_supported: ["sub", "iss"],
    id_token_signing_alg_values_supported: ["RS256"],
  };
}

export function jwks(key: ClusterSigningKey): { keys: unknown[] } {
  return { keys: [key.publicJwk] };
}

/** The response to a discovery path (`.well-known/...`, `keys`, `openid/v1/jwks`), or undefined. */
export function oidcResponse(
  path: string,
  found: { issuer: string; key: ClusterSigningKey },
): Response | undefined {
  const p = path.replace(/\/$/, "");
  const body =
    p === "/.well-known/openid-configuration"
      ? openidConfiguration(found.issuer)
      : p === "/keys" || p === "/openid/v1/jwks"
        ? jwks(found.key)
        : undefined;
  if (!body) return undefined;
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/json", "cache-control": "public, max-age=3600" },
  });
}
