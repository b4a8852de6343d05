import { beforeAll, describe, expect, it } from "vitest";
import { CANARY_NAMESPACE, fuzz } from "../fuzz/requests.ts";
import { newCluster, type TestCluster } from "../helpers.ts";

// A short, seeded run of the request fuzzer (test/fuzz/requests.ts; bench/fuzz.ts runs a long one): no
// malformed request may get a 5xx, and the canary objects it never names must come out unchanged.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("fuzz");
  await k.api("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "fuzz" },
  });
  await k.api("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: CANARY_NAMESPACE },
  });
  for (const name of ["c1", "c2"])
    await k.api("POST", `/api/v1/namespaces/${CANARY_NAMESPACE}/configmaps`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name },
      data: { keep: name },
    });
}, 60_000);

const canary = async () =>
  JSON.stringify(
    ((await k.api("GET", `/api/v1/namespaces/${CANARY_NAMESPACE}/configmaps`)).body as { items: unknown[] })
      .items,
  );

describe("malformed requests", () => {
  it("get no 5xx and change nothing they do not name", { timeout: 180_000 }, async () => {
    const before = await canary();
    const seed = Number(process.env.KUMULUS_FUZZ_SEED ?? 20261206);
    const out = await fuzz(k.base, k.token(), seed, Number(process.env.KUMULUS_FUZZ_COUNT ?? 1500), 8);
    const summary = out.failures.map(
      (f) => `${f.status} ${f.req.method} ${f.req.path.slice(0, 120)} ${f.body.slice(0, 200)}`,
    );
    expect(summary).toEqual([]);
    expect(out.sent).toBeGreaterThan(0);
    expect(await canary()).toBe(before);
    expect((await k.api("GET", "/version")).status).toBe(200);
  });
});
