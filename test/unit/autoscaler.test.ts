import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import { allocatableOf, requireInstanceType } from "../../lib/capacity/catalog.ts";
import type { ClusterDoc, NodegroupDoc } from "../../lib/eks/repo.ts";
import { autoscalerModule } from "../../lib/fleet/autoscaler.ts";
import { groupOptions, nextBackoff, optedIn, parseGoDuration } from "../../lib/fleet/autoscaler-options.ts";
import { type GroupDown, planScaleDown } from "../../lib/fleet/autoscaler-scale-down.ts";
import {
  failedScaleUpMessage,
  type GroupSim,
  notTriggeredMessage,
  planScaleUp,
  triggeredMessage,
} from "../../lib/fleet/autoscaler-scale-up.ts";
import { groupPrice, groupZones, templateNode } from "../../lib/fleet/autoscaler-template.ts";

// The Cluster Autoscaler's decisions, without I/O: which groups take part, which group grows and by how
// much, what the pods are told, and which nodes are unneeded.

const cluster = {
  name: "prod",
  version: "1.32",
  resourcesVpcConfig: { subnetIds: ["subnet-a", "subnet-b"] },
} as unknown as ClusterDoc;

function group(
  name: string,
  type: string,
  scaling: Partial<NodegroupDoc["scalingConfig"]> = {},
): NodegroupDoc {
  return {
    nodegroupName: name,
    uuid: `${name}-uuid`,
    status: "ACTIVE",
    capacityType: "ON_DEMAND",
    scalingConfig: { minSize: 1, maxSize: 5, desiredSize: 1, ...scaling },
    instanceTypes: [type],
    subnets: ["subnet-a", "subnet-b"],
    amiType: "AL2023_x86_64_STANDARD",
    releaseVersion: "1.32.0-20261202",
    labels: {},
    taints: [],
    tags: {},
  } as unknown as NodegroupDoc;
}

function sim(ng: NodegroupDoc, upcoming = 0): GroupSim {
  const zones = groupZones(cluster, ng, "us-east-1");
  return {
    name: ng.nodegroupName,
    asg: `eks-${ng.nodegroupName}`,
    desired: ng.scalingConfig.desiredSize,
    max: ng.scalingConfig.maxSize,
    upcoming,
    price: groupPrice(ng, zones, "us-east-1"),
    zones,
    template: (k, tag) => templateNode(cluster, ng, "us-east-1", zones, k, tag),
  };
}

let seq = 0;
function pod(
  cpu: string,
  extra: { nodeSelector?: Record<string, string>; nodeName?: string } = {},
): KubeObject {
  const name = `p${++seq}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: name,
      creationTimestamp: `2026-12-06T10:00:${String(seq % 60).padStart(2, "0")}Z`,
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "rs", controller: true },
      ],
    },
    spec: {
      containers: [{ name: "c", image: "x", resources: { requests: { cpu, memory: "64Mi" } } }],
      ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}),
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
    },
    status: extra.nodeName
      ? { phase: "Running" }
      : {
          phase: "Pending",
          conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }],
        },
  };
}

/** A registered node of a group, Ready. */
function node(name: string, ng: NodegroupDoc): KubeObject {
  const t = templateNode(cluster, ng, "us-east-1", ["us-east-1a"], 0);
  return {
    ...t,
    metadata: { name, labels: { ...t.metadata.labels, "kubernetes.io/hostname": name } },
    status: { ...(t.status as object), conditions: [{ type: "Ready", status: "True" }] },
  };
}

const cheap = () => group("cheap", "t3.medium");
const pricey = () => group("pricey", "m5.large", { maxSize: 2 });

describe("opting in", () => {
  it("takes part with both auto-discovery tags", () => {
    const tags = { "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/prod": "owned" };
    expect(optedIn({ tags }, "prod")).toBe(true);
    expect(optedIn({ tags }, "other")).toBe(false);
    expect(optedIn({ tags: { "k8s.io/cluster-autoscaler/enabled": "true" } }, "prod")).toBe(false);
    expect(optedIn({ tags: { ...tags, "k8s.io/cluster-autoscaler/enabled": "false" } }, "prod")).toBe(false);
  });

  it("reads the per-group scale-down options, Go durations included", () => {
    expect(parseGoDuration("10m0s")).toBe(600_000);
    expect(parseGoDuration("1h30m")).toBe(5_400_000);
    expect(parseGoDuration("10s")).toBe(10_000);
    expect(parseGoDuration("500ms")).toBe(500);
    expect(parseGoDuration("ten")).toBeUndefined();
    const key = "k8s.io/cluster-autoscaler/node-template/autoscaling-options/";
    expect(
      groupOptions({
        tags: { [`${key}scaledownunneededtime`]: "10s", [`${key}scaledownutilizationthreshold`]: "0.3" },
      }),
    ).toEqual({ unneededMs: 10_000, threshold: 0.3, ignoreDaemonSetsUtilization: false });
    expect(groupOptions({ tags: { [`${key}scaledownunneededtime`]: "soon" } })).toEqual({
      unneededMs: 600_000,
      threshold: 0.5,
      ignoreDaemonSetsUtilization: false,
    });
  });

  it("is woken by unschedulable pods and new nodes only", () => {
    const woken = (ch: object) => {
      const out: string[] = [];
      autoscalerModule.route?.(
        { cluster: "prod", namespace: "default", name: "x", rv: 1, ...ch } as never,
        (q, c, k, g) => out.push(`${q}/${c}/${k}/${g}`),
      );
      return out;
    };
    expect(woken({ group: "", plural: "pods", type: "MODIFIED", object: pod("100m") })).toEqual([
      "controllers/cluster-autoscaler/*/prod|cluster-autoscaler",
    ]);
    expect(
      woken({ group: "", plural: "pods", type: "MODIFIED", object: pod("100m", { nodeName: "n" }) }),
    ).toEqual([]);
    expect(woken({ group: "", plural: "nodes", type: "ADDED" })).toHaveLength(1);
    expect(woken({ group: "", plural: "nodes", type: "MODIFIED" })).toEqual([]);
  });
});

describe("scale-up", () => {
  it("simulates a group's node as its nodes register: catalog allocatable, labels, taints, zones", () => {
    const ng = {
      ...group("gpu", "m5.large"),
      labels: { team: "a" },
      taints: [{ key: "dedicated", value: "gpu", effect: "NO_SCHEDULE" }],
    };
    const zones = groupZones(cluster, ng, "us-east-1");
    const t = templateNode(cluster, ng, "us-east-1", zones, 1);
    expect(t.metadata.labels).toMatchObject({
      "eks.amazonaws.com/nodegroup": "gpu",
      "node.kubernetes.io/instance-type": "m5.large",
      "topology.kubernetes.io/zone": zones[1],
      team: "a",
    });
    expect(t.spec).toEqual({ taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] });
    expect((t.status as { allocatable: unknown }).allocatable).toEqual(
      allocatableOf(requireInstanceType("m5.large")),
    );
    const p = pod("100m");
    expect(planScaleUp([], [p], [p], [sim(ng)]).unhelped[0].reasons).toBe(
      "1 node(s) had untolerated taint {dedicated: gpu}",
    );
  });

  it("grows the cheapest group that fits, by as many nodes as the pods need, within maxSize", () => {
    const pending = Array.from({ length: 20 }, () => pod("1200m"));
    const plan = planScaleUp([], pending, pending, [sim(pricey()), sim(cheap())]);
    expect(plan.scaleUp).toMatchObject({ group: "cheap", from: 1, to: 5, max: 5 });
    expect(plan.scaleUp?.pods).toHaveLength(4);
    expect(triggeredMessage(plan.scaleUp!)).toBe("pod triggered scale-up: [{eks-cheap 1->5 (max: 5)}]");
  });

  it("bin-packs: three 500m pods to a 2-vCPU node", () => {
    const pending = Array.from({ length: 7 }, () => pod("500m"));
    const plan = planScaleUp([], pending, pending, [sim(cheap())]);
    expect(plan.scaleUp).toMatchObject({ from: 1, to: 4 });
    expect(plan.scaleUp?.pods).toHaveLength(7);
  });

  it("takes a pricier group when only it fits", () => {
    const labelled = { ...pricey(), labels: { disk: "ssd" } };
    const pending = [pod("100m", { nodeSelector: { disk: "ssd" } })];
    const plan = planScaleUp([], pending, pending, [sim(cheap()), sim(labelled)]);
    expect(plan.scaleUp).toMatchObject({ group: "pricey", from: 1, to: 2 });
  });

  it("skips a group in backoff after a failed scale-up for the next cheapest, and says so when none is left", () => {
    const pending = [pod("100m")];
    const plan = planScaleUp([], pending, pending, [{ ...sim(cheap()), backoff: true }, sim(pricey())]);
    expect(plan.scaleUp).toMatchObject({ group: "pricey" });
    const none = planScaleUp([], pending, pending, [{ ...sim(cheap()), backoff: true }]);
    expect(none.unhelped[0].reasons).toBe("1 in backoff after failed scale-up");
    expect(
      failedScaleUpMessage(["us-east-1a", "us-east-1b"], "We currently do not have sufficient capacity"),
    ).toBe(
      "Node scale up in zones us-east-1a,us-east-1b associated with this pod failed: We currently do not have sufficient capacity. Pod is at risk of not being scheduled.",
    );
  });

  it("backs a group off 5 minutes, doubling up to 30 after repeated failures, reset after 3 hours", () => {
    const first = nextBackoff(undefined, 0);
    expect(first).toEqual({ until: 300_000, ms: 300_000, at: 0 });
    let b = first;
    for (let i = 1; i <= 4; i++) b = nextBackoff(b, b.until);
    expect(b.ms).toBe(1_800_000);
    expect(nextBackoff(b, b.at + 3 * 3_600_000).ms).toBe(300_000);
  });

  it("tells pods why nothing grew: groups at max, selectors, size", () => {
    const full = [
      sim(group("a", "t3.medium", { desiredSize: 5 })),
      sim(group("b", "m5.large", { maxSize: 1 })),
    ];
    const p = pod("100m");
    expect(planScaleUp([], [p], [p], full).unhelped.map((u) => notTriggeredMessage(u.reasons))).toEqual([
      "pod didn't trigger scale-up: 2 max node group size reached",
    ]);
    const nowhere = pod("100m", { nodeSelector: { gpu: "yes" } });
    const big = pod("3");
    const plan = planScaleUp([], [nowhere, big], [nowhere, big], [sim(cheap()), sim(pricey())]);
    expect(plan.scaleUp).toBeUndefined();
    expect(Object.fromEntries(plan.unhelped.map((u) => [u.pod.metadata.name, u.reasons]))).toEqual({
      [nowhere.metadata.name!]: "2 node(s) didn't match Pod's node affinity/selector",
      [big.metadata.name!]: "2 Insufficient cpu",
    });
    const mixed = planScaleUp([], [nowhere], [nowhere], [sim(cheap()), full[0]]);
    expect(mixed.unhelped[0].reasons).toBe(
      "1 max node group size reached, 1 node(s) didn't match Pod's node affinity/selector",
    );
  });

  it("leaves pods that fit existing or upcoming nodes to the scheduler", () => {
    const ng = cheap();
    const p = pod("1200m");
    const existing = planScaleUp([node("n1", ng)], [p], [p], [sim(ng)]);
    expect(existing.scaleUp).toBeUndefined();
    expect(existing.waiting).toEqual([p]);
    expect(existing.unhelped).toEqual([]);
    // Two nodes asked for and not registered yet: two pods wait for them, the third scales up.
    const pending = [pod("1200m"), pod("1200m"), pod("1200m")];
    const up = planScaleUp([], pending, pending, [
      sim({ ...ng, scalingConfig: { ...ng.scalingConfig, desiredSize: 3 } }, 2),
    ]);
    expect(up.waiting).toHaveLength(2);
    expect(up.scaleUp).toMatchObject({ from: 3, to: 4 });
  });
});

describe("scale-down", () => {
  const T0 = Date.parse("2026-12-06T10:00:00Z");
  const opts = { threshold: 0.5, unneededMs: 10_000, ignoreDaemonSetsUtilization: false };
  const down = (size: number, min = 1): GroupDown => ({ name: "cheap", min, size, ...opts });

  it("marks an empty node unneeded and removes it once its time is up, never below minSize", () => {
    const ng = cheap();
    const nodes = [node("n1", ng), node("n2", ng), node("n3", ng)];
    const first = planScaleDown(nodes, [], [], [down(3)], {}, T0);
    expect([...first.unneeded.keys()].sort()).toEqual(["n1", "n2"]);
    expect(first.needed.get("n3")).toBe("node group min size reached");
    expect(first.remove).toEqual([]);
    const later = planScaleDown(nodes, [], [], [down(3)], Object.fromEntries(first.unneeded), T0 + 10_000);
    expect(later.unneeded.get("n1")).toBe(T0);
    expect(later.remove.map((r) => r.node).sort()).toEqual(["n1", "n2"]);
  });

  it("keeps a node whose requests are at the threshold, or whose pods have nowhere to go", () => {
    const ng = cheap();
    const busy = [pod("1000m", { nodeName: "n1" })];
    expect(
      planScaleDown([node("n1", ng), node("n2", ng)], busy, [], [down(2)], {}, T0).unneeded.has("n1"),
    ).toBe(false);
    // 900m on each of two nodes: under half, but neither node has room for the other's pod.
    const two = [
      pod("900m", { nodeName: "n1" }),
      pod("900m", { nodeName: "n2" }),
      pod("800m", { nodeName: "n2" }),
    ];
    const plan = planScaleDown([node("n1", ng), node("n2", ng)], two.slice(0, 2), [], [down(2)], {}, T0);
    expect(plan.unneeded.size).toBe(1);
    const full = planScaleDown(
      [node("n1", ng), node("n2", ng)],
      [two[0], two[2], pod("900m", { nodeName: "n2" })],
      [],
      [down(2)],
      {},
      T0,
    );
    expect(full.needed.get("n1")).toMatch(/^no place to move pod default\/p\d+$/);
  });

  it("follows CA's drain rules: controllers, safe-to-evict, PodDisruptionBudgets, DaemonSets", () => {
    const ng = cheap();
    const nodes = [node("n1", ng), node("n2", ng)];
    // n2 is busy (needed), so n1's pods have somewhere to go.
    const busy = pod("1000m", { nodeName: "n2" });
    const bare = pod("100m", { nodeName: "n1" });
    bare.metadata.ownerReferences = [];
    expect(planScaleDown(nodes, [bare, busy], [], [down(2)], {}, T0).needed.get("n1")).toBe(
      `default/${bare.metadata.name} is not replicated`,
    );
    bare.metadata.annotations = { "cluster-autoscaler.kubernetes.io/safe-to-evict": "true" };
    expect(planScaleDown(nodes, [bare, busy], [], [down(2)], {}, T0).unneeded.has("n1")).toBe(true);
    const pinned = pod("100m", { nodeName: "n1" });
    pinned.metadata.annotations = { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" };
    expect(planScaleDown(nodes, [pinned, busy], [], [down(2)], {}, T0).needed.get("n1")).toMatch(
      /not safe to evict/,
    );

    const guarded = pod("100m", { nodeName: "n1" });
    guarded.metadata.labels = { app: "web" };
    const pdb = (allowed: number): KubeObject => ({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web", namespace: "default" },
      spec: { selector: { matchLabels: { app: "web" } } },
      status: { disruptionsAllowed: allowed },
    });
    expect(planScaleDown(nodes, [guarded, busy], [pdb(0)], [down(2)], {}, T0).needed.get("n1")).toMatch(
      /not enough pod disruption budget/,
    );
    expect(planScaleDown(nodes, [guarded, busy], [pdb(1)], [down(2)], {}, T0).unneeded.has("n1")).toBe(true);

    const ds = pod("100m", { nodeName: "n1" });
    ds.metadata.ownerReferences = [
      { apiVersion: "apps/v1", kind: "DaemonSet", name: "d", uid: "d", controller: true },
    ];
    const plan = planScaleDown(nodes, [ds, busy], [], [down(2)], {}, T0 + 10_000);
    expect(plan.unneeded.has("n1")).toBe(true);
  });
});
