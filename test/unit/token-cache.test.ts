import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AwsAuth } from "../../lib/edge/aws-auth.ts";
import { IamAuthenticator } from "../../lib/edge/kube-authn.ts";
import type { ClusterDoc } from "../../lib/eks/repo.ts";
import { ensureAdmin } from "../../lib/identity/iam/bootstrap.ts";
import { MemoryIamRepo } from "../../lib/identity/iam/memory-repo.ts";
import { mintRoleSession } from "../../lib/identity/iam/ops/session.ts";
import type { IamRole } from "../../lib/identity/iam/repo.ts";
import { ACCOUNT, T0 } from "../../lib/identity/iam/testing.ts";
import { type AwsKey, presignEksToken } from "../../lib/identity/sigv4-sign.ts";
import { secretFingerprint, tokenCacheKey, VerifiedTokenCache } from "../../lib/identity/token-cache.ts";
import type { Store } from "../../lib/store/store.ts";

describe("VerifiedTokenCache", () => {
  it("keys on the whole token and the cluster, never on the token text itself", () => {
    const k = tokenCacheKey("k8s-aws-v1.abc", "one");
    expect(k).toBe(tokenCacheKey("k8s-aws-v1.abc", "one"));
    expect(k).not.toBe(tokenCacheKey("k8s-aws-v1.abc", "two"));
    expect(k).not.toBe(tokenCacheKey("k8s-aws-v1.abd", "one"));
    expect(tokenCacheKey("k8s-aws-v1.abc", "a")).not.toBe(tokenCacheKey("a\0k8s-aws-v1.abc", ""));
    expect(k).not.toContain("abc");
  });

  it("fingerprints the secret and the session token", () => {
    expect(secretFingerprint("s")).toBe(secretFingerprint("s", undefined));
    expect(secretFingerprint("s")).not.toBe(secretFingerprint("t"));
    expect(secretFingerprint("s", "a")).not.toBe(secretFingerprint("s", "b"));
    expect(secretFingerprint("s", "a")).not.toContain("s");
  });

  it("keeps an entry for its time to live, and never past notAfter", () => {
    const c = new VerifiedTokenCache<string>({ ttlMs: 30_000 });
    c.set("a", "A", 1_000);
    expect(c.get("a", 1_000)).toBe("A");
    expect(c.get("a", 30_999)).toBe("A");
    expect(c.get("a", 31_000)).toBeUndefined();
    expect(c.size).toBe(0);
    c.set("b", "B", 1_000, 5_000);
    expect(c.get("b", 4_999)).toBe("B");
    expect(c.get("b", 5_000)).toBeUndefined();
  });

  it("keeps nothing whose window is already over, and drops the older value of a key", () => {
    const c = new VerifiedTokenCache<string>();
    c.set("a", "A", 1_000);
    c.set("a", "A2", 1_000, 1_000);
    expect(c.get("a", 1_000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it("drops an entry when the clock goes back before it was made", () => {
    const c = new VerifiedTokenCache<string>();
    c.set("a", "A", 10_000);
    expect(c.get("a", 9_999)).toBeUndefined();
  });

  it("is bounded, evicting the oldest entry first", () => {
    const c = new VerifiedTokenCache<number>({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) c.set(`k${i}`, i, 1_000);
    expect(c.size).toBe(3);
    expect(c.get("k0", 1_000)).toBeUndefined();
    expect(c.get("k1", 1_000)).toBeUndefined();
    expect([2, 3, 4].map((i) => c.get(`k${i}`, 1_000))).toEqual([2, 3, 4]);
    expect(c.stats.evictions).toBe(2);
  });

  it("sweeps expired entries from the old end before evicting live ones", () => {
    const c = new VerifiedTokenCache<number>({ ttlMs: 10, maxEntries: 3 });
    c.set("old1", 1, 0);
    c.set("old2", 2, 0);
    c.set("live", 3, 5);
    c.set("new", 4, 12);
    expect(c.stats.evictions).toBe(0);
    expect(c.get("live", 12)).toBe(3);
    expect(c.get("new", 12)).toBe(4);
    expect(c.size).toBe(2);
  });

  it("counts hits and misses", () => {
    const c = new VerifiedTokenCache<number>();
    c.get("x", 0);
    c.set("x", 1, 0);
    c.get("x", 0);
    expect(c.stats).toMatchObject({ hits: 1, misses: 1 });
  });
});

// The authenticator with the cache in place: a cached token must stop working whenever an uncached one would.
describe("IamAuthenticator's verified-token cache", () => {
  const ORIGIN = "http://127.0.0.1:8080";
  const CLUSTER = "c1";
  let repo: MemoryIamRepo;
  let aws: AwsAuth;
  let admin: AwsKey & { userArn: string };
  let doc: ClusterDoc | undefined;
  let authn: IamAuthenticator;

  const docFor = (creatorArn: string): ClusterDoc =>
    ({
      name: CLUSTER,
      creatorArn,
      accessConfig: { authenticationMode: "CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: true },
    }) as unknown as ClusterDoc;

  const request = (token: string, cluster = CLUSTER) =>
    new Request(`${ORIGIN}/clusters/${cluster}/api/v1/namespaces/default`, {
      headers: { authorization: `Bearer ${token}`, host: "127.0.0.1:8080" },
    });
  const run = async (token: string, cluster = CLUSTER) => {
    try {
      const c = await authn.authenticator(request(token, cluster), cluster);
      return c?.user.username ?? "none";
    } catch (e) {
      return (e as { code?: number }).code ?? String(e);
    }
  };
  const tokenOf = (key: AwsKey, cluster = CLUSTER, at = T0) =>
    presignEksToken(ORIGIN, cluster, key, "us-east-1", new Date(at));

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    repo = new MemoryIamRepo();
    const k = await ensureAdmin(repo, ACCOUNT, { now: T0 });
    admin = { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, userArn: k.userArn };
    aws = new AwsAuth(repo, ACCOUNT);
    doc = docFor(admin.userArn);
    authn = new IamAuthenticator({
      aws,
      store: { get: async () => undefined } as unknown as Store,
      doc: async () => doc,
      ownHosts: () => new Set(["127.0.0.1:8080"]),
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("checks a token's signature once, then reuses it for the same token and cluster only", async () => {
    const t = await tokenOf(admin);
    expect(await run(t)).toBe("kubernetes-admin");
    expect(authn.verified.stats).toMatchObject({ hits: 0, misses: 1 });
    expect(await run(t)).toBe("kubernetes-admin");
    expect(authn.verified.stats).toMatchObject({ hits: 1, misses: 1 });
    // The same token presented for another cluster is a different entry and is refused there.
    expect(await run(t, "other")).toBe(401);
    expect(authn.verified.size).toBe(1);
  });

  it("never caches a refusal", async () => {
    const forged = await tokenOf({ accessKeyId: admin.accessKeyId, secretAccessKey: "wrong" });
    expect(await run(forged)).toBe(401);
    expect(await run(forged)).toBe(401);
    expect(authn.verified.size).toBe(0);
  });

  it("expires an entry after 30 s, and never keeps a token past its 15 minutes", async () => {
    const t = await tokenOf(admin);
    await run(t);
    vi.setSystemTime(T0 + 30_000);
    expect(await run(t)).toBe("kubernetes-admin");
    expect(authn.verified.stats.hits).toBe(0);
    // A token signed 14m50s ago is cached for 10 s only, and refused after.
    const late = await tokenOf(admin, CLUSTER, Date.now() - 14 * 60_000 - 50_000);
    expect(await run(late)).toBe("kubernetes-admin");
    vi.setSystemTime(Date.now() + 9_000);
    expect(await run(late)).toBe("kubernetes-admin");
    vi.setSystemTime(Date.now() + 2_000);
    expect(await run(late)).toBe(401);
  });

  it("stops a cached token at once when its key is deactivated or deleted through this process", async () => {
    const t = await tokenOf(admin);
    expect(await run(t)).toBe("kubernetes-admin");
    const key = (await repo.get("key", admin.accessKeyId))!;
    await repo.put("key", { ...key, status: "Inactive" });
    aws.forget(); // what an IAM write through this process does
    expect(await run(t)).toBe(401);
    await repo.put("key", key);
    aws.forget();
    expect(await run(t)).toBe("kubernetes-admin");
    await repo.delete("key", admin.accessKeyId);
    aws.forget();
    expect(await run(t)).toBe(401);
    expect(authn.verified.size).toBe(0);
  });

  it("stops a cached token when its user is deleted", async () => {
    const t = await tokenOf(admin);
    expect(await run(t)).toBe("kubernetes-admin");
    await repo.delete("user", "kumulus-admin");
    aws.forget();
    expect(await run(t)).toBe(401);
  });

  it("follows a change made by another process within the key lookup's 5 s, like an uncached token", async () => {
    const t = await tokenOf(admin);
    expect(await run(t)).toBe("kubernetes-admin");
    await repo.delete("key", admin.accessKeyId); // no forget(): this process heard nothing
    vi.setSystemTime(T0 + 5_000);
    expect(await run(t)).toBe(401);
  });

  it("does not reuse an entry when the key now has another secret", async () => {
    const t = await tokenOf(admin);
    expect(await run(t)).toBe("kubernetes-admin");
    const key = (await repo.get("key", admin.accessKeyId))!;
    await repo.put("key", { ...key, secretAccessKey: "rotated" });
    aws.forget();
    expect(await run(t)).toBe(401);
  });

  it("maps the principal on every request: a mapping removed takes effect within the 2 s doc cache", async () => {
    const t = await tokenOf(admin);
    expect(await run(t)).toBe("kubernetes-admin");
    doc = docFor(`arn:aws:iam::${ACCOUNT}:user/someone-else`);
    vi.setSystemTime(T0 + 2_001);
    expect(await run(t)).toBe(401);
    expect(authn.verified.stats.hits).toBe(1);
  });

  it("stops a role session's cached token when the session expires or is removed", async () => {
    const role: IamRole = {
      name: "dev",
      path: "/",
      arn: `arn:aws:iam::${ACCOUNT}:role/dev`,
      roleId: "AROAEXAMPLEEXAMPLE01",
      createDate: T0,
      assumeRolePolicyDocument: "{}",
      maxSessionDuration: 3600,
      tags: [],
      attachedPolicies: [],
      inlinePolicies: {},
    };
    await repo.put("role", role);
    doc = docFor(role.arn);
    const s = await mintRoleSession({
      repo,
      account: ACCOUNT,
      now: T0,
      role,
      sessionName: "alice",
      durationSeconds: 900,
    });
    const key = {
      accessKeyId: s.accessKeyId,
      secretAccessKey: s.secretAccessKey,
      sessionToken: s.sessionToken,
    };
    const t = await tokenOf(key);
    expect(await run(t)).toBe("kubernetes-admin");
    expect(await run(t)).toBe("kubernetes-admin");
    expect(authn.verified.stats.hits).toBe(1);
    // A role's deletion reaches no cache here: a role session's entry lives 10 s, not 30.
    vi.setSystemTime(T0 + 10_000);
    expect(await run(t)).toBe("kubernetes-admin");
    expect(authn.verified.stats.hits).toBe(1);
    await repo.delete("session", s.accessKeyId);
    aws.forget();
    expect(await run(t)).toBe(401);
    // A token without the session token is refused even with the right secret.
    await repo.put("session", s);
    aws.forget();
    const bare = await tokenOf({ accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey });
    expect(await run(bare)).toBe(401);
    // Expiry: the lookup refuses an expired session, and the cached token with it.
    const t2 = await tokenOf(key, CLUSTER, T0 + 880_000);
    vi.setSystemTime(T0 + 880_000);
    expect(await run(t2)).toBe("kubernetes-admin");
    vi.setSystemTime(T0 + 900_000);
    expect(await run(t2)).toBe(401);
  });
});
