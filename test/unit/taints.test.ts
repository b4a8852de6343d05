import { describe, expect, it } from "vitest";
import { toleratesTaint } from "../../lib/api/nodes.ts";
import type { KubeObject } from "../../lib/api/types.ts";
import {
  evictionDecision,
  lifecycleTaints,
  reconcileTaints,
  untoleratedTaint,
} from "../../lib/controllers/taint-util.ts";

const pod = (tolerations: unknown[], created = "2026-01-01T00:00:00Z"): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default", creationTimestamp: created },
  spec: { tolerations },
});

const node = (
  conditions: { type: string; status: string }[],
  taints: unknown[] = [],
  unschedulable = false,
) =>
  ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n" },
    spec: { taints, unschedulable },
    status: { conditions },
  }) as KubeObject;

describe("toleration matching", () => {
  const taint = { key: "type", value: "workload", effect: "NoExecute" };
  it("matches key, value and effect like v1helper.ToleratesTaint", () => {
    expect(
      toleratesTaint({ key: "type", operator: "Equal", value: "workload", effect: "NoExecute" }, taint),
    ).toBe(true);
    expect(toleratesTaint({ key: "type", value: "other", effect: "NoExecute" }, taint)).toBe(false);
    expect(toleratesTaint({ key: "type", operator: "Exists" }, taint)).toBe(true);
    expect(toleratesTaint({ operator: "Exists" }, taint)).toBe(true);
    expect(toleratesTaint({ key: "type", operator: "Exists", effect: "NoSchedule" }, taint)).toBe(false);
  });
  it("finds the first untolerated taint of the given effects", () => {
    const taints = [
      { key: "a", effect: "PreferNoSchedule" },
      { key: "b", effect: "NoSchedule" },
    ];
    expect(untoleratedTaint([], taints, ["NoExecute"])).toBeUndefined();
    expect(untoleratedTaint([], taints, ["NoSchedule", "NoExecute"])?.key).toBe("b");
  });
});

describe("NoExecute taint manager decisions", () => {
  const t0 = Date.parse("2026-01-01T00:10:00Z");
  const taints = [
    { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: "2026-01-01T00:10:00Z" },
  ];
  it("keeps pods on nodes without NoExecute taints", () => {
    expect(evictionDecision(pod([]), [{ key: "x", effect: "NoSchedule" }], t0)).toEqual({ action: "keep" });
  });
  it("evicts untolerating pods at once", () => {
    expect(evictionDecision(pod([]), taints, t0)).toEqual({ action: "evict" });
  });
  it("waits tolerationSeconds from when the taint was added", () => {
    const p = pod([
      {
        key: "node.kubernetes.io/unreachable",
        operator: "Exists",
        effect: "NoExecute",
        tolerationSeconds: 5,
      },
    ]);
    expect(evictionDecision(p, taints, t0 + 1000)).toEqual({ action: "wait", at: t0 + 5000 });
    expect(evictionDecision(p, taints, t0 + 5000)).toEqual({ action: "evict" });
  });
  it("dates the wait by timeAdded of the bounding taint, not by forever-tolerated ones", () => {
    const mixed = [{ key: "type", effect: "NoExecute" }, ...taints];
    const p = pod([
      { key: "type", operator: "Exists" },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 5 },
    ]);
    expect(evictionDecision(p, mixed, t0 + 1000)).toEqual({ action: "wait", at: t0 + 5000 });
    expect(evictionDecision(p, mixed, t0 + 6000)).toEqual({ action: "evict" });
  });
  it("keeps pods that tolerate forever", () => {
    expect(evictionDecision(pod([{ operator: "Exists" }]), taints, t0)).toEqual({ action: "keep" });
  });
  it("uses the smallest tolerationSeconds and needs every NoExecute taint tolerated", () => {
    const two = [...taints, { key: "other", effect: "NoExecute", timeAdded: "2026-01-01T00:10:00Z" }];
    const p = pod([
      { key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 60 },
      { key: "other", operator: "Exists", tolerationSeconds: 10 },
    ]);
    expect(evictionDecision(p, two, t0)).toEqual({ action: "wait", at: t0 + 10_000 });
    expect(evictionDecision(pod([{ key: "other", operator: "Exists" }]), two, t0)).toEqual({
      action: "evict",
    });
  });
});

describe("node lifecycle taints", () => {
  it("maps Ready=Unknown to unreachable and Ready=False to not-ready", () => {
    expect(lifecycleTaints(node([{ type: "Ready", status: "Unknown" }]))).toEqual([
      { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
      { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
    ]);
    expect(lifecycleTaints(node([{ type: "Ready", status: "False" }])).map((t) => t.key)).toEqual([
      "node.kubernetes.io/not-ready",
      "node.kubernetes.io/not-ready",
    ]);
    expect(lifecycleTaints(node([{ type: "Ready", status: "True" }], [], true))).toEqual([
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
    ]);
  });
  it("adds and removes only its own taints, keeping user taints and timeAdded", () => {
    const user = { key: "type", value: "workload", effect: "NoExecute" };
    const down = node([{ type: "Ready", status: "Unknown" }], [user]);
    const added = reconcileTaints(down, "2026-01-01T00:00:00Z")!;
    expect(added).toHaveLength(3);
    expect(added.find((t) => t.effect === "NoExecute" && t.key !== "type")?.timeAdded).toBe(
      "2026-01-01T00:00:00Z",
    );
    expect(reconcileTaints(node([{ type: "Ready", status: "Unknown" }], added), "later")).toBeUndefined();
    expect(reconcileTaints(node([{ type: "Ready", status: "True" }], added), "later")).toEqual([user]);
    expect(reconcileTaints(node([{ type: "Ready", status: "True" }], [user]), "later")).toBeUndefined();
  });
});
