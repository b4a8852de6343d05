import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import { nodePorts } from "../../lib/scheduler/plugins/node-ports.ts";
import { findPreemption } from "../../lib/scheduler/preemption.ts";
import { feasibleNodesToFind, schedule } from "../../lib/scheduler/schedule.ts";
import { Snapshot } from "../../lib/scheduler/snapshot.ts";

const ZONE = "topology.kubernetes.io/zone";
const HOST = "kubernetes.io/hostname";

function node(name: string, zone: string, cpu = "4", extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { [HOST]: name, [ZONE]: zone } },
    spec: {},
    status: { allocatable: { cpu, memory: "16Gi", pods: "110" } },
    ...extra,
  };
}

function pod(
  name: string,
  spec: Record<string, unknown> = {},
  labels: Record<string, string> = {},
): KubeObject {
  const { cpu, ...rest } = spec as { cpu?: string };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels, uid: `uid-${name}` },
    spec: {
      containers: [
        { name: "c", image: "x", resources: { requests: { cpu: cpu ?? "100m", memory: "64Mi" } } },
      ],
      ...rest,
    },
  };
}

/** Schedules pods one after another, assuming each placement like the binder's pass does. */
function place(snap: Snapshot, pods: KubeObject[]): (string | undefined)[] {
  return pods.map((p) => {
    const r = schedule(p, snap);
    if (!("node" in r)) return undefined;
    (p.spec as { nodeName?: string }).nodeName = r.node;
    snap.add(snap.byName.get(r.node)!, p);
    return r.node;
  });
}

const threeZones = () => [
  node("a1", "a"),
  node("a2", "a"),
  node("b1", "b"),
  node("b2", "b"),
  node("c1", "c"),
];

describe("scheduler", () => {
  it("keeps the adaptive feasible-node count", () => {
    expect(feasibleNodesToFind(50)).toBe(50);
    expect(feasibleNodesToFind(1000)).toBe(420);
    expect(feasibleNodesToFind(5000)).toBe(500);
  });

  it("reports node affinity failures like kube-scheduler", () => {
    const snap = new Snapshot(threeZones(), []);
    const r = schedule(pod("p", { nodeSelector: { disk: "ssd" } }), snap);
    expect(r).toMatchObject({
      message:
        "0/5 nodes are available: 5 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.",
    });
  });

  it("spreads over zones with maxSkew 1, counting pods assumed in the same pass", () => {
    const snap = new Snapshot(threeZones(), []);
    const tsc = [
      {
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app: "web" } },
      },
    ];
    const nodes = place(
      snap,
      Array.from({ length: 6 }, (_, i) => pod(`w${i}`, { topologySpreadConstraints: tsc }, { app: "web" })),
    );
    const zones = new Map<string, number>();
    for (const n of nodes) zones.set(n!.charAt(0), (zones.get(n!.charAt(0)) ?? 0) + 1);
    expect([...zones.values()]).toEqual([2, 2, 2]);
  });

  it("rejects a node that would exceed maxSkew with the kube reason", () => {
    const nodes = [node("a1", "a"), node("b1", "b", "4", { spec: { unschedulable: true } })];
    const existing = pod("e", { nodeName: "a1" }, { app: "web" });
    const snap = new Snapshot(nodes, [existing]);
    const tsc = [{ maxSkew: 1, topologyKey: ZONE, labelSelector: { matchLabels: { app: "web" } } }];
    const r = schedule(pod("n", { topologySpreadConstraints: tsc }, { app: "web" }), snap);
    expect("message" in r && r.fitMessage).toBe(
      "0/2 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) were unschedulable.",
    );
  });

  it("honours minDomains and matchLabelKeys", () => {
    const snap = new Snapshot([node("a1", "a"), node("a2", "a")], []);
    const tsc = [
      {
        maxSkew: 1,
        topologyKey: ZONE,
        minDomains: 3,
        labelSelector: { matchLabels: { app: "web" } },
        matchLabelKeys: ["rev"],
      },
    ];
    // One domain of three: the global minimum counts as 0, so only one matching pod fits in zone a.
    const placed = place(snap, [
      pod("x", { topologySpreadConstraints: tsc }, { app: "web", rev: "1" }),
      pod("y", { topologySpreadConstraints: tsc }, { app: "web", rev: "1" }),
      pod("z", { topologySpreadConstraints: tsc }, { app: "web", rev: "2" }),
    ]);
    expect(placed[0]).toBeDefined();
    expect(placed[1]).toBeUndefined();
    expect(placed[2]).toBeDefined(); // another revision is counted separately
  });

  it("prefers emptier domains for ScheduleAnyway constraints", () => {
    const nodes = [node("a1", "a"), node("b1", "b")];
    const snap = new Snapshot(nodes, [pod("e1", { nodeName: "a1" }, { app: "w" })]);
    const tsc = [
      {
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { app: "w" } },
      },
    ];
    expect(schedule(pod("n", { topologySpreadConstraints: tsc }, { app: "w" }), snap)).toEqual({
      node: "b1",
    });
  });

  it("spreads a ReplicaSet's replicas over hosts by kube-scheduler's default constraints", () => {
    // Two coredns-like pods (requests skewed towards cpu) sit on n1; with resource scores alone the six
    // replicas would all avoid it.
    const dns = (name: string) => pod(name, { nodeName: "n1", cpu: "100m" }, { "k8s-app": "kube-dns" });
    const snap = new Snapshot([node("n1", "a"), node("n2", "b"), node("n3", "c")], [dns("d1"), dns("d2")]);
    const replicas = Array.from({ length: 6 }, (_, i) => {
      const p = pod(`web-${i}`, {}, { app: "web", "pod-template-hash": "abc" });
      p.metadata.ownerReferences = [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "rs", controller: true },
      ];
      const c = (p.spec as { containers: { resources: unknown }[] }).containers[0];
      c.resources = {}; // no requests: scored with kube's defaults (100m, 200Mi)
      return p;
    });
    const placed = place(snap, replicas);
    const perNode = new Map<string, number>();
    for (const n of placed) perNode.set(n!, (perNode.get(n!) ?? 0) + 1);
    expect([...perNode.keys()].sort()).toEqual(["n1", "n2", "n3"]);
  });

  it("places self anti-affinity replicas on distinct nodes, then reports the anti-affinity reason", () => {
    const snap = new Snapshot([node("n1", "a"), node("n2", "b"), node("n3", "c")], []);
    const anti = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: HOST, labelSelector: { matchLabels: { app: "db" } } },
        ],
      },
    };
    const pods = Array.from({ length: 4 }, (_, i) => pod(`db${i}`, { affinity: anti }, { app: "db" }));
    const placed = place(snap, pods.slice(0, 3));
    expect(new Set(placed).size).toBe(3);
    const r = schedule(pods[3], snap);
    expect("message" in r && r.fitMessage).toBe(
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.",
    );
  });

  it("honours existing pods' anti-affinity (symmetry)", () => {
    const anti = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: ZONE, labelSelector: { matchLabels: { role: "noisy" } } },
        ],
      },
    };
    const snap = new Snapshot(
      [node("a1", "a"), node("b1", "b")],
      [pod("guard", { nodeName: "a1", affinity: anti })],
    );
    expect(schedule(pod("n", {}, { role: "noisy" }), snap)).toEqual({ node: "b1" });
    const snap2 = new Snapshot([node("a1", "a")], [pod("guard", { nodeName: "a1", affinity: anti })]);
    const r = schedule(pod("n", {}, { role: "noisy" }), snap2);
    expect("message" in r && r.fitMessage).toBe(
      "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules.",
    );
  });

  it("co-locates pods with required pod affinity, letting the first of a group go anywhere", () => {
    const snap = new Snapshot(threeZones(), []);
    const aff = {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: ZONE, labelSelector: { matchLabels: { group: "g" } } },
        ],
      },
    };
    const placed = place(
      snap,
      Array.from({ length: 5 }, (_, i) => pod(`g${i}`, { affinity: aff }, { group: "g" })),
    );
    expect(new Set(placed.map((n) => n!.charAt(0))).size).toBe(1);
    // A pod that does not match its own term cannot start a group.
    const lone = new Snapshot(threeZones(), []);
    const r = schedule(pod("x", { affinity: aff }, { group: "other" }), lone);
    expect("message" in r && r.fitMessage).toBe(
      "0/5 nodes are available: 5 node(s) didn't match pod affinity rules.",
    );
  });

  it("scores preferred pod affinity", () => {
    const snap = new Snapshot(
      [node("a1", "a"), node("b1", "b")],
      [pod("cache", { nodeName: "b1" }, { app: "cache" })],
    );
    const pref = {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: { topologyKey: ZONE, labelSelector: { matchLabels: { app: "cache" } } },
          },
        ],
      },
    };
    expect(schedule(pod("n", { affinity: pref }), snap)).toEqual({ node: "b1" });
  });

  it("detects hostPort conflicts", () => {
    const withPort = (name: string, port: number, nodeName?: string) =>
      pod(name, {
        nodeName,
        containers: [{ name: "c", image: "x", ports: [{ containerPort: 80, hostPort: port }] }],
      });
    const snap = new Snapshot([node("n1", "a")], [withPort("e", 8080, "n1")]);
    expect(nodePorts(withPort("p", 8080), snap.nodes[0])).toBe(
      "node(s) didn't have free ports for the requested pod ports",
    );
    expect(nodePorts(withPort("q", 8081), snap.nodes[0])).toBeUndefined();
  });

  it("preempts the fewest, lowest-priority pods", () => {
    const low = (n: string, prio: number, cpu: string, nodeName: string) =>
      pod(n, { nodeName, priority: prio, cpu });
    const snap = new Snapshot(
      [node("n1", "a", "2"), node("n2", "b", "2")],
      [
        low("l1", 10, "1", "n1"),
        low("l2", 10, "1", "n1"),
        low("m1", 100, "1500m", "n2"),
        low("m2", 0, "500m", "n2"),
      ],
    );
    const high = pod("high", { priority: 1000, cpu: "1" });
    const r = schedule(high, snap);
    expect("message" in r).toBe(true);
    if (!("message" in r)) return;
    expect(r.fitMessage).toBe("0/2 nodes are available: 2 Insufficient cpu.");
    const p = findPreemption(high, snap, r.failed)!;
    // n2 would need the priority-100 pod gone; on n1 one priority-10 pod is enough.
    expect(p.node.node.metadata.name).toBe("n1");
    expect(p.victims.map((v) => v.metadata.name)).toHaveLength(1);
    // The snapshot is left as it was.
    expect(snap.byName.get("n1")!.pods).toHaveLength(2);
    expect(
      findPreemption(
        { ...high, spec: { ...(high.spec as object), preemptionPolicy: "Never" } },
        snap,
        r.failed,
      ),
    ).toBe(undefined);
    expect(findPreemption(pod("same", { priority: 0, cpu: "1" }), snap, r.failed)).toBeUndefined();
  });

  it("preempts to satisfy anti-affinity with lower-priority pods", () => {
    const anti = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: HOST, labelSelector: { matchLabels: { app: "x" } } },
        ],
      },
    };
    const snap = new Snapshot([node("n1", "a")], [pod("old", { nodeName: "n1", priority: 0 }, { app: "x" })]);
    const p = pod("new", { priority: 5, affinity: anti }, { app: "x" });
    const r = schedule(p, snap);
    if (!("message" in r)) throw new Error("expected unschedulable");
    expect(findPreemption(p, snap, r.failed)?.victims.map((v) => v.metadata.name)).toEqual(["old"]);
  });
});
