import { describe, expect, it } from "vitest";
import {
  computeBudget,
  expectedScale,
  type Getter,
  liveDisruptions,
  scaled,
  selects,
} from "../../lib/api/disruption-budget.ts";
import type { KubeObject } from "../../lib/api/types.ts";

// The PodDisruptionBudget arithmetic shared by the disruption controller and the eviction subresource.

const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", uid: "d1" },
  spec: { replicas: 5 },
};
const rs: KubeObject = {
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: {
    name: "web-abc",
    namespace: "default",
    uid: "r1",
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d1", controller: true },
    ],
  },
  spec: { replicas: 4 },
};

const get: Getter = async (_g, plural, _ns, name) =>
  plural === "deployments" && name === "web"
    ? deployment
    : plural === "replicasets" && name === "web-abc"
      ? rs
      : undefined;

function pod(name: string, ready = true, extra: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `u-${name}`,
      labels: { app: "web" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "r1", controller: true },
      ],
      ...extra,
    },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
    },
  };
}

function pdb(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "web", namespace: "default", generation: 1 },
    spec: { selector: { matchLabels: { app: "web" } }, ...spec },
    status,
  };
}

describe("PodDisruptionBudget arithmetic", () => {
  it("scales ints and percentages, rounding up", () => {
    expect(scaled(2, 10)).toBe(2);
    expect(scaled("50%", 5)).toBe(3);
    expect(scaled("0%", 5)).toBe(0);
  });

  it("a null selector selects nothing, an empty one everything", () => {
    expect(selects(pdb({ selector: null }), pod("a"))).toBe(false);
    expect(selects(pdb({ selector: {} }), pod("a"))).toBe(true);
    expect(selects(pdb({ selector: { matchLabels: { app: "db" } } }), pod("a"))).toBe(false);
  });

  it("counts a Deployment's replicas once for the pods of its ReplicaSet", async () => {
    expect(await expectedScale([pod("a"), pod("b")], get)).toBe(5);
    const orphan = pod("c", true, { ownerReferences: [] });
    expect(await expectedScale([pod("a"), orphan], get)).toBe(6);
  });

  it("minAvailable as an int needs that many healthy pods", async () => {
    const pods = [pod("a"), pod("b"), pod("c"), pod("d", false)];
    const s = await computeBudget(pdb({ minAvailable: 2 }), pods, get);
    expect(s).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 4, disruptionsAllowed: 1 });
  });

  it("maxUnavailable is relative to the owner's scale", async () => {
    const pods = [pod("a"), pod("b"), pod("c"), pod("d")];
    const s = await computeBudget(pdb({ maxUnavailable: 1 }), pods, get);
    // The Deployment wants 5: 4 desired healthy, 4 healthy, so no disruption is allowed.
    expect(s).toMatchObject({ expectedPods: 5, desiredHealthy: 4, currentHealthy: 4, disruptionsAllowed: 0 });
    const zero = await computeBudget(pdb({ maxUnavailable: 0 }), pods, get);
    expect(zero.disruptionsAllowed).toBe(0);
  });

  it("minAvailable as a percentage of the expected pods", async () => {
    const pods = [pod("a"), pod("b"), pod("c"), pod("d"), pod("e")];
    const s = await computeBudget(pdb({ minAvailable: "50%" }), pods, get);
    expect(s).toMatchObject({ expectedPods: 5, desiredHealthy: 3, disruptionsAllowed: 2 });
  });

  it("pods already evicted do not count as healthy; stale entries are dropped", async () => {
    const at = new Date().toISOString();
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const pods = [pod("a"), pod("b"), pod("c")];
    const s = await computeBudget(
      pdb({ minAvailable: 1 }, { disruptedPods: { a: at, gone: at, c: old } }),
      pods,
      get,
    );
    expect(s.currentHealthy).toBe(2);
    expect(s.disruptionsAllowed).toBe(1);
    expect(s.disruptedPods).toEqual({ a: at });
    expect(liveDisruptions({ a: at }, [pod("a", true, { deletionTimestamp: at })])).toEqual({});
  });

  it("deleting pods are not healthy", async () => {
    const pods = [pod("a"), pod("b", true, { deletionTimestamp: new Date().toISOString() })];
    const s = await computeBudget(pdb({ minAvailable: 1 }), pods, get);
    expect(s).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0 });
  });
});
