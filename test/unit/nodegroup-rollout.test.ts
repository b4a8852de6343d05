import { beforeEach, describe, expect, it } from "vitest";
import { SimulatedCapacityProvider } from "../../lib/capacity/provider.ts";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { configureNodegroups, type NodeRegistrationData } from "../../lib/eks/nodegroups.ts";
import {
  judgeUndrained,
  maxUnavailableOf,
  planRollout,
  type RolloutInstance,
  surgeOf,
} from "../../lib/eks/rollout.ts";
import { createEksApp } from "../../lib/eks/router.ts";

// The planning of a node group's rolling update (lib/eks/rollout.ts), step by step, and the whole
// UpdateNodegroupVersion run inline against the simulated capacity provider and a fake kubelet.

const inst = (id: string, isNew: boolean, minute = 0, zone = "us-east-1a"): RolloutInstance => ({
  id,
  name: `ip-${id}.ec2.internal`,
  zone,
  launchTime: `2026-12-02T10:${String(minute).padStart(2, "0")}:00.000Z`,
  isNew,
});

describe("planRollout", () => {
  const base = { desired: 3, zones: 2, maxUnavailable: 1, draining: {}, now: 1000 };
  const old3 = [inst("a", false, 1), inst("b", false, 2), inst("c", false, 3)];

  it("launches the replacements first, never more than the desired size", () => {
    expect(planRollout({ ...base, instances: old3 })).toEqual({ kind: "launch", count: 3 });
    // A bigger group grows by the surge only: max(2 × zones, maxUnavailable).
    const old10 = Array.from({ length: 10 }, (_, i) => inst(`o${i}`, false, i));
    expect(planRollout({ ...base, desired: 10, instances: old10 })).toEqual({ kind: "launch", count: 4 });
    expect(surgeOf(2, 1)).toBe(4);
    expect(surgeOf(1, 5)).toBe(5);
  });

  it("then drains the oldest old node, at most maxUnavailable at a time", () => {
    const all = [...old3, inst("x", true, 10), inst("y", true, 10), inst("z", true, 10)];
    const p = planRollout({ ...base, instances: all });
    expect(p.kind).toBe("upgrade");
    if (p.kind !== "upgrade") return;
    expect(p.nodes.map((n) => n.id)).toEqual(["a"]);
    expect(p.draining).toEqual({ a: 1000 });
    // Still draining a: no second node is started, and a keeps its start time.
    const again = planRollout({ ...base, instances: all, draining: { a: 500 }, now: 2000 });
    expect(again).toMatchObject({ kind: "upgrade", draining: { a: 500 } });
    if (again.kind === "upgrade") expect(again.nodes.map((n) => n.id)).toEqual(["a"]);
    // With maxUnavailable 2, b joins.
    const two = planRollout({ ...base, maxUnavailable: 2, instances: all, draining: { a: 500 }, now: 2000 });
    if (two.kind === "upgrade") expect(two.draining).toEqual({ a: 500, b: 2000 });
  });

  it("forgets nodes that are gone and finishes when only the new nodes are left", () => {
    const news = [inst("x", true, 10), inst("y", true, 10), inst("z", true, 10)];
    const p = planRollout({ ...base, instances: [inst("c", false, 3), ...news], draining: { a: 1, b: 2 } });
    expect(p).toMatchObject({ kind: "upgrade", draining: { c: 1000 } });
    expect(planRollout({ ...base, instances: news, draining: { c: 5 } })).toEqual({ kind: "done" });
  });

  it("scales surplus replacements down, newest first", () => {
    const news = [inst("x", true, 10), inst("y", true, 11), inst("z", true, 12), inst("w", true, 13)];
    const p = planRollout({ ...base, instances: news });
    expect(p.kind).toBe("scale-down");
    if (p.kind === "scale-down") expect(p.nodes.map((n) => n.id)).toEqual(["w"]);
  });

  it("relaunches when a replacement was lost", () => {
    const p = planRollout({ ...base, instances: [inst("a", false, 1), inst("x", true, 10)] });
    expect(p).toEqual({ kind: "launch", count: 2 });
  });
});

describe("maxUnavailableOf and judgeUndrained", () => {
  it("reads maxUnavailable or the percentage of the desired size", () => {
    expect(maxUnavailableOf({ maxUnavailable: 2 }, 10)).toBe(2);
    expect(maxUnavailableOf({ maxUnavailablePercentage: 30 }, 10)).toBe(3);
    expect(maxUnavailableOf({ maxUnavailablePercentage: 10 }, 3)).toBe(1);
    expect(maxUnavailableOf({}, 3)).toBe(1);
  });

  it("fails past the deadline without force, and deletes after the short wait with force", () => {
    const opts = { now: 100_000, evictionTimeoutMs: 60_000, forceAfterMs: 10_000 };
    const draining = { a: 95_000, b: 30_000 };
    expect(judgeUndrained(["a", "b"], draining, { ...opts, force: false })).toEqual({
      force: [],
      overdue: ["b"],
    });
    expect(judgeUndrained(["a", "b"], draining, { ...opts, force: true })).toEqual({
      force: ["b"],
      overdue: [],
    });
  });
});

describe("UpdateNodegroupVersion (inline, simulated capacity)", () => {
  const NOW = Date.parse("2026-12-02T10:00:00Z");
  let app: ReturnType<typeof createEksApp>;
  let provider: SimulatedCapacityProvider;
  let nodes: Map<string, NodeRegistrationData>;
  let drained: string[][];

  async function call(method: string, path: string, body?: unknown) {
    const res = await app.request(path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as any };
  }

  beforeEach(async () => {
    provider = new SimulatedCapacityProvider({ now: () => NOW });
    nodes = new Map();
    drained = [];
    configureNodegroups({
      rollouts: "inline",
      capacity: provider,
      nodes: {
        register: async (_c, n) => {
          nodes.set(n.name, n);
        },
        remove: async (_c, name) => {
          nodes.delete(name);
        },
        drain: async (_c, names) => {
          drained.push([...names]);
          return [];
        },
      },
    });
    app = createEksApp({
      repo: new MemoryEksRepo(),
      effects: new RecordingEffects(),
      region: "us-east-1",
      account: "123456789012",
      endpointBase: "https://127.0.0.1:8443",
      caData: "Q0E=",
      now: () => NOW,
    });
    const body = { name: "c", version: "1.32", roleArn: "arn:aws:iam::1:role/r", resourcesVpcConfig: {} };
    await call("POST", "/clusters", { ...body, bootstrapSelfManagedAddons: false });
    const subnets = (await call("GET", "/clusters/c")).json.cluster.resourcesVpcConfig.subnetIds;
    await call("POST", "/clusters/c/node-groups", {
      nodegroupName: "workers",
      nodeRole: "arn:aws:iam::123456789012:role/node",
      subnets: subnets.slice(0, 2),
      instanceTypes: ["m5.large"],
      scalingConfig: { minSize: 1, maxSize: 5, desiredSize: 3 },
      updateConfig: { maxUnavailable: 1 },
    });
  });

  it("refuses a version newer than the cluster's and a release that does not exist", async () => {
    const r = await call("POST", "/clusters/c/node-groups/workers/update-version", { version: "1.33" });
    expect(r.status).toBe(400);
    expect(r.headers.get("x-amzn-ErrorType")).toBe("InvalidParameterException");
    expect(r.json.message).toBe("Requested Nodegroup version 1.33 is newer than the cluster version 1.32.");
    await call("POST", "/clusters/c/updates", { version: "1.33" });
    const bad = await call("POST", "/clusters/c/node-groups/workers/update-version", {
      version: "1.33",
      releaseVersion: "1.33.0-20200101",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe(
      "Requested Nodegroup release version 1.33.0-20200101 is invalid. Allowed release version is 1.33.13-20261202",
    );
    const gone = await call("POST", "/clusters/c/node-groups/nope/update-version", {});
    expect(gone.status).toBe(404);
    // Nothing was recorded.
    expect((await call("GET", "/clusters/c/updates?nodegroupName=workers")).json.updateIds).toEqual([]);
  });

  it("replaces every node with the new version, one old node at a time, and reports Successful", async () => {
    const before = new Set(nodes.keys());
    await call("POST", "/clusters/c/updates", { version: "1.33" });
    const r = await call("POST", "/clusters/c/node-groups/workers/update-version", {});
    expect(r.status).toBe(200);
    expect(r.json.update).toMatchObject({
      type: "VersionUpdate",
      status: "InProgress",
      params: [
        { type: "Version", value: "1.33" },
        { type: "ReleaseVersion", value: "1.33.13-20261202" },
      ],
    });
    const u = (await call("GET", `/clusters/c/updates/${r.json.update.id}?nodegroupName=workers`)).json
      .update;
    expect(u.status).toBe("Successful");
    const ng = (await call("GET", "/clusters/c/node-groups/workers")).json.nodegroup;
    expect(ng).toMatchObject({ status: "ACTIVE", version: "1.33", releaseVersion: "1.33.13-20261202" });
    expect(nodes.size).toBe(3);
    for (const [name, n] of nodes) {
      expect(before.has(name)).toBe(false);
      expect(n.kubeletVersion).toMatch(/^v1\.33\./);
    }
    // Each drain took one old node.
    expect(drained.map((d) => d.length)).toEqual([1, 1, 1]);
    expect(new Set(drained.flat())).toEqual(before);
    expect(await provider.describe("c", { states: ["running"] })).toHaveLength(3);
    // The group can be updated again (no update left in progress).
    const list = (await call("GET", "/clusters/c/updates?nodegroupName=workers")).json.updateIds;
    expect(list).toEqual([r.json.update.id]);
  });
});

describe("DeleteCluster", () => {
  it("terminates the capacity the cluster still has, so nothing is left billed", async () => {
    const NOW = Date.parse("2026-12-02T10:00:00Z");
    const provider = new SimulatedCapacityProvider({ now: () => NOW });
    configureNodegroups({ rollouts: "inline", capacity: provider, nodes: {} });
    const app = createEksApp({
      repo: new MemoryEksRepo(),
      effects: new RecordingEffects(),
      region: "us-east-1",
      account: "123456789012",
      endpointBase: "https://127.0.0.1:8443",
      caData: "Q0E=",
      now: () => NOW,
    });
    const body = { name: "d", version: "1.32", roleArn: "arn:aws:iam::1:role/r", resourcesVpcConfig: {} };
    await app.request("/clusters", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...body, bootstrapSelfManagedAddons: false }),
    });
    // Capacity outside any node group (a Karpenter node, a Fargate pod's micro-VM).
    await provider.launch({
      cluster: "d",
      zones: ["us-east-1a"],
      instanceTypes: ["m5.large"],
      capacityType: "on-demand",
      count: 2,
    });
    expect(await provider.describe("d", { states: ["running"] })).toHaveLength(2);
    const res = await app.request("/clusters/d", { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await provider.describe("d", { states: ["running", "interrupted"] })).toEqual([]);
  });
});
