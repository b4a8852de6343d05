import { describe, expect, it } from "vitest";
import { MemorySigningKeyStore, SigningKeys } from "../../lib/identity/sa-keys.ts";
import {
  API_AUDIENCE,
  looksLikeJwt,
  signBoundToken,
  signLegacyToken,
  verifySaToken,
} from "../../lib/identity/sa-token.ts";

const ISSUER = "https://127.0.0.1:8443/oidc/id/0123456789ABCDEF0123456789ABCDEF";
const keys = new SigningKeys(new MemorySigningKeyStore());
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

async function bound(over: Partial<Parameters<typeof signBoundToken>[1]> = {}) {
  return signBoundToken(await keys.forCluster("a"), {
    issuer: ISSUER,
    audiences: [API_AUDIENCE],
    expirationSeconds: 600,
    now: NOW,
    namespace: "default",
    serviceAccount: { name: "default", uid: "sa-uid" },
    ...over,
  });
}

describe("service-account tokens", () => {
  it("verifies a bound token at its own cluster, issuer and audience", async () => {
    const token = await bound({ pod: { name: "p", uid: "pod-uid" } });
    expect(looksLikeJwt(token)).toBe(true);
    const c = await verifySaToken(token, await keys.forCluster("a"), ISSUER, [API_AUDIENCE], NOW + 1000);
    expect(c).toMatchObject({
      namespace: "default",
      serviceAccount: { name: "default", uid: "sa-uid" },
      pod: { name: "p", uid: "pod-uid" },
      legacy: false,
    });
  });

  it("refuses it expired, at another cluster's key, for another issuer or audience", async () => {
    const token = await bound();
    const a = await keys.forCluster("a");
    const b = await keys.forCluster("b");
    expect(await verifySaToken(token, a, ISSUER, [API_AUDIENCE], NOW + 601_000)).toBeUndefined();
    expect(await verifySaToken(token, b, ISSUER, [API_AUDIENCE], NOW)).toBeUndefined();
    expect(await verifySaToken(token, a, `${ISSUER}x`, [API_AUDIENCE], NOW)).toBeUndefined();
    expect(await verifySaToken(token, a, ISSUER, ["sts.amazonaws.com"], NOW)).toBeUndefined();
  });

  it("refuses a token whose payload was altered", async () => {
    const [h, p, s] = (await bound()).split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    claims["kubernetes.io"].namespace = "kube-system";
    claims.sub = "system:serviceaccount:kube-system:default";
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    expect(
      await verifySaToken(forged, await keys.forCluster("a"), ISSUER, [API_AUDIENCE], NOW),
    ).toBeUndefined();
  });

  it("verifies a legacy Secret token, which has no expiry or audience", async () => {
    const a = await keys.forCluster("a");
    const token = await signLegacyToken(a, "ns", { name: "builder", uid: "u1" }, "builder-token");
    const c = await verifySaToken(token, a, ISSUER, [API_AUDIENCE], NOW + 10 * 365 * 86_400_000);
    expect(c).toMatchObject({
      namespace: "ns",
      serviceAccount: { name: "builder", uid: "u1" },
      legacy: true,
    });
    expect(
      await verifySaToken(token, await keys.forCluster("b"), ISSUER, [API_AUDIENCE], NOW),
    ).toBeUndefined();
  });

  it("makes one key per cluster, once, even when asked concurrently", async () => {
    const store = new MemorySigningKeyStore();
    const [x, y] = await Promise.all([
      new SigningKeys(store).forCluster("c"),
      new SigningKeys(store).forCluster("c"),
    ]);
    expect(x.kid).toBe(y.kid);
    expect(x.publicJwk).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: x.kid });
    expect(x.publicJwk).not.toHaveProperty("d");
  });
});
