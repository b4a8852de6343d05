import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";
import { Informer } from "../watch-client.ts";

// Brief §2.2: concurrent writers racing on shared objects of several kinds, and watchers started at
// different points. Each watcher's replayed state must equal a final list, no update may be lost, and
// every write based on a stale resourceVersion must be refused with 409.

const WRITERS = 8;
const ROUNDS = 25;
const KEYS = 6;
const KINDS = [
  { path: "/api/v1/namespaces/default/configmaps", kind: "ConfigMap", apiVersion: "v1" },
  { path: "/api/v1/namespaces/default/secrets", kind: "Secret", apiVersion: "v1" },
  {
    path: "/apis/coordination.k8s.io/v1/namespaces/default/leases",
    kind: "Lease",
    apiVersion: "coordination.k8s.io/v1",
  },
];

let k: TestCluster;
const informers: Informer[] = [];

beforeAll(async () => {
  k = await newCluster("consistency");
});
afterAll(() => {
  for (const i of informers) i.stop();
});

function body(kind: (typeof KINDS)[number], name: string, count: number, rv?: string) {
  const metadata: Record<string, unknown> = { name, annotations: { count: String(count) } };
  if (rv) metadata.resourceVersion = rv;
  if (kind.kind === "Lease")
    return { apiVersion: kind.apiVersion, kind: kind.kind, metadata, spec: { holderIdentity: `h${count}` } };
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata,
    data: { n: kind.kind === "Secret" ? Buffer.from(String(count)).toString("base64") : String(count) },
  };
}

describe("concurrent writers and watchers", () => {
  it("lose no update and replay to the final list", async () => {
    const cm = KINDS[0];
    // Watcher 1: from "now" with initial events; watcher 2: from a list's revision taken before the load.
    informers.push(new Informer(`${k.base}${cm.path}?watch=1&allowWatchBookmarks=true`));
    const before = await k.api("GET", cm.path);
    informers.push(
      new Informer(`${k.base}${cm.path}?watch=1&resourceVersion=${before.body.metadata.resourceVersion}`),
    );
    const perKind = KINDS.map((kind) => new Informer(`${k.base}${kind.path}?watch=1&resourceVersion=0`));
    informers.push(...perKind);
    await new Promise((r) => setTimeout(r, 500));

    const successes = new Map<string, number>();
    const deleted = new Set<string>();
    let conflicts = 0;
    let staleAccepted = 0;
    let midList: Informer | undefined;
    const writer = async (w: number) => {
      for (let round = 0; round < ROUNDS; round++) {
        const kind = KINDS[(w + round) % KINDS.length];
        const name = `obj-${(w * 7 + round) % KEYS}`;
        const key = `${kind.kind}/${name}`;
        const got = await k.api("GET", `${kind.path}/${name}`);
        if (got.status === 404) {
          const c = await k.api("POST", kind.path, body(kind, name, 1));
          if (c.status === 201) successes.set(key, 1);
          else expect(c.status, c.text).toBe(409);
          continue;
        }
        expect(got.status).toBe(200);
        const count = Number(got.body.metadata.annotations.count);
        if (round % 11 === 10) {
          const d = await k.api("DELETE", `${kind.path}/${name}`, {
            preconditions: { resourceVersion: got.body.metadata.resourceVersion },
          });
          if (d.status === 200) deleted.add(key);
          else expect([404, 409]).toContain(d.status);
          continue;
        }
        const u = await k.api(
          "PUT",
          `${kind.path}/${name}`,
          body(kind, name, count + 1, got.body.metadata.resourceVersion),
        );
        if (u.status === 200) {
          successes.set(key, (successes.get(key) ?? 0) + 1);
          if (Number(u.body.metadata.annotations.count) !== count + 1) staleAccepted++;
        } else if (u.status === 409) conflicts++;
        else if (u.status !== 404) throw new Error(`unexpected ${u.status}: ${u.text}`);
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    // Watcher 3: started mid-load from a list's revision.
    await new Promise((r) => setTimeout(r, 300));
    const mid = await k.api("GET", cm.path);
    midList = new Informer(
      `${k.base}${cm.path}?watch=1&resourceVersion=${mid.body.metadata.resourceVersion}`,
    );
    for (const it of mid.body.items) midList.state.set(it.metadata.name, it.metadata.resourceVersion);
    informers.push(midList);
    await Promise.all(writers);

    expect(staleAccepted).toBe(0);
    expect(conflicts).toBeGreaterThan(0);
    for (const [i, kind] of KINDS.entries()) {
      const final = await k.api("GET", kind.path);
      const want = new Map<string, string>(
        final.body.items.map((o: any) => [o.metadata.name, o.metadata.resourceVersion]),
      );
      const finalRv = Number(final.body.metadata.resourceVersion);
      const watchers = kind === cm ? [informers[0], informers[1], midList, perKind[0]] : [perKind[i]];
      for (const inf of watchers) {
        await waitFor(
          () => inf.lastRv >= finalRv || inf.error || sameState(inf.state, want),
          20_000,
          `${kind.kind} watcher to catch up`,
        );
        expect(inf.error).toBeUndefined();
        expect(Object.fromEntries(inf.state)).toEqual(Object.fromEntries(want));
      }
      // No lost update: an object's counter equals the number of writes the server accepted for it.
      for (const o of final.body.items) {
        const key = `${kind.kind}/${o.metadata.name}`;
        if (deleted.has(key)) continue;
        expect(Number(o.metadata.annotations.count), key).toBe(successes.get(key));
      }
    }
  });
});

function sameState(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of b) if (a.get(k) !== v) return false;
  return true;
}
