import type { KubeObject } from "../lib/api/types.ts";
import { nodeObject } from "../lib/kubelet/nodes.ts";
import { addPod, nodeInfos, schedule } from "../lib/scheduler/schedule.ts";
import { report, round } from "./lib.ts";

// The scheduling algorithm in process (no I/O): NODES nodes, PODS basic pods, placed one after another with
// the node accounting updated between decisions, as the binder does.

const NODES = Number(process.env.BENCH_SCHED_NODES ?? 5000);
const PODS = Number(process.env.BENCH_SCHED_PODS ?? 10000);
const nodes = Array.from({ length: NODES }, (_, i) =>
  nodeObject(i % 250, i % 2 ? "m5.xlarge" : "c5.xlarge"),
).map((n, i) => ({
  ...n,
  metadata: {
    ...n.metadata,
    name: `node-${i}`,
    labels: { ...n.metadata.labels, "kubernetes.io/hostname": `node-${i}` },
  },
}));
const pod = (i: number): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `p-${i}`, namespace: "default" },
  spec: {
    containers: [{ name: "c", image: "x", resources: { requests: { cpu: "100m", memory: "128Mi" } } }],
  },
});
const infos = nodeInfos(nodes as KubeObject[], []);
const byName = new Map(infos.map((n) => [n.node.metadata.name!, n]));
const t = performance.now();
let placed = 0;
for (let i = 0; i < PODS; i++) {
  const p = pod(i);
  const r = schedule(p, infos);
  if ("node" in r) {
    addPod(byName.get(r.node)!, p);
    placed++;
  }
}
const seconds = (performance.now() - t) / 1000;
const podsPerSec = round(PODS / seconds, 0);
report(
  "scheduler",
  { nodes: NODES, pods: PODS, placed, seconds: round(seconds), podsPerSec },
  [
    "## Scheduler algorithm in process (`bench/scheduler.ts`)",
    "",
    "Basic pods (100m cpu, 128Mi) onto simulated nodes. Like kube-scheduler, a decision stops filtering once",
    "enough feasible nodes are found (adaptive percentageOfNodesToScore) and scores those.",
    "",
    "| nodes | pods | placed | seconds | pods/s | goal |",
    "|---|---|---|---|---|---|",
    `| ${NODES} | ${PODS} | ${placed} | ${round(seconds)} | ${podsPerSec} | ≥ 2,000 pods/s |`,
    "",
    "Karpenter's diverse mix is not measured yet: topology spread and inter-pod affinity plugins are not built.",
  ].join("\n"),
);
