import type { KubeObject } from "../lib/api/types.ts";
import { nodeObject } from "../lib/kubelet/nodes.ts";
import { schedule } from "../lib/scheduler/schedule.ts";
import { Snapshot } from "../lib/scheduler/snapshot.ts";
import { report, round } from "./lib.ts";

// The scheduling algorithm in process (no I/O), pods placed one after another with the snapshot updated
// between decisions, as the binder does:
// - basic: BENCH_SCHED_NODES nodes (5,000), BENCH_SCHED_PODS plain pods (10,000);
// - diverse: Karpenter's scheduling benchmark mix in equal parts (generic, topology spread on zone, topology
//   spread on hostname, pod affinity on zone, pod anti-affinity on hostname) on BENCH_DIVERSE_NODES nodes
//   (1,000), BENCH_DIVERSE_PODS pods (5,000).

const NODES = Number(process.env.BENCH_SCHED_NODES ?? 5000);
const PODS = Number(process.env.BENCH_SCHED_PODS ?? 10000);
const DIVERSE_NODES = Number(process.env.BENCH_DIVERSE_NODES ?? 1000);
const DIVERSE_PODS = Number(process.env.BENCH_DIVERSE_PODS ?? 5000);
const ZONE = "topology.kubernetes.io/zone";
const HOST = "kubernetes.io/hostname";

function nodes(count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => {
    const n = nodeObject(i % 250, i % 2 ? "m5.xlarge" : "c5.xlarge");
    // nodeObject's zone follows its index modulo 250; use the node's own index so zones stay balanced.
    const zone = ["us-east-1a", "us-east-1b", "us-east-1c"][i % 3];
    return {
      ...n,
      metadata: {
        ...n.metadata,
        name: `node-${i}`,
        labels: { ...n.metadata.labels, [HOST]: `node-${i}`, [ZONE]: zone },
      },
    };
  });
}

// Deterministic pseudo-random numbers (mulberry32), so every run places the same pods.
let seed = 42;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(l: T[]): T => l[Math.floor(rand() * l.length)];

function pod(i: number, extra: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject {
  const diverse = labels !== undefined;
  const cpu = diverse ? pick(["100m", "250m", "500m"]) : "100m";
  const memory = diverse ? pick(["128Mi", "256Mi", "512Mi"]) : "128Mi";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p-${i}`, namespace: "default", labels },
    spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu, memory } } }], ...extra },
  };
}

function diversePod(i: number): KubeObject {
  const group = `g${Math.floor(rand() * 10)}`;
  const spread = (key: string, label: string) => ({
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: key,
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { [label]: group } },
      },
    ],
  });
  const term = (key: string, label: string) => [
    { topologyKey: key, labelSelector: { matchLabels: { [label]: group } } },
  ];
  switch (i % 5) {
    case 0:
      return pod(i, {}, {});
    case 1:
      return pod(i, spread(ZONE, "spread-zone"), { "spread-zone": group });
    case 2:
      return pod(i, spread(HOST, "spread-host"), { "spread-host": group });
    case 3:
      return pod(
        i,
        {
          affinity: {
            podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term(ZONE, "affinity") },
          },
        },
        { affinity: group },
      );
    default:
      return pod(
        i,
        {
          affinity: {
            podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term(HOST, "anti") },
          },
        },
        { anti: group },
      );
  }
}

function run(nodeCount: number, pods: KubeObject[]): { placed: number; seconds: number; podsPerSec: number } {
  const snap = new Snapshot(nodes(nodeCount), []);
  const t = performance.now();
  let placed = 0;
  for (const p of pods) {
    const r = schedule(p, snap);
    if ("node" in r) {
      snap.add(snap.byName.get(r.node)!, p);
      placed++;
    }
  }
  const seconds = (performance.now() - t) / 1000;
  return { placed, seconds: round(seconds), podsPerSec: round(pods.length / seconds, 0) };
}

const basic = run(
  NODES,
  Array.from({ length: PODS }, (_, i) => pod(i)),
);
const diverse = run(
  DIVERSE_NODES,
  Array.from({ length: DIVERSE_PODS }, (_, i) => diversePod(i)),
);
report(
  "scheduler",
  {
    nodes: NODES,
    pods: PODS,
    placed: basic.placed,
    seconds: basic.seconds,
    podsPerSec: basic.podsPerSec,
    diverse: { nodes: DIVERSE_NODES, pods: DIVERSE_PODS, ...diverse },
  },
  [
    "## Scheduler algorithm in process (`bench/scheduler.ts`)",
    "",
    "Pods placed one after another onto simulated nodes, the snapshot updated between decisions. Like",
    "kube-scheduler, a decision stops filtering once enough feasible nodes are found (adaptive",
    "percentageOfNodesToScore) and scores those. Basic: 100m cpu, 128Mi pods. Diverse: Karpenter's",
    "scheduling benchmark mix in equal parts (generic, topology spread on zone, topology spread on hostname,",
    "pod affinity on zone, pod anti-affinity on hostname; 10 label groups each, 100m–500m cpu).",
    "",
    "| mix | nodes | pods | placed | seconds | pods/s | goal |",
    "|---|---|---|---|---|---|---|",
    `| basic | ${NODES} | ${PODS} | ${basic.placed} | ${basic.seconds} | ${basic.podsPerSec} | ≥ 2,000 pods/s |`,
    `| diverse | ${DIVERSE_NODES} | ${DIVERSE_PODS} | ${diverse.placed} | ${diverse.seconds} | ${diverse.podsPerSec} | ≥ 1,000 pods/s |`,
  ].join("\n"),
);
