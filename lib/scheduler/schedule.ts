import type { KubeObject } from "../api/types.ts";
import { interPodAffinity } from "./plugins/inter-pod-affinity.ts";
import { balancedAllocation, leastAllocated } from "./plugins/least-allocated.ts";
import { nodeAffinity, nodeAffinityScore } from "./plugins/node-affinity.ts";
import { nodeName } from "./plugins/node-name.ts";
import { nodePorts } from "./plugins/node-ports.ts";
import { nodeResourcesFit } from "./plugins/node-resources-fit.ts";
import { nodeUnschedulable } from "./plugins/node-unschedulable.ts";
import { podTopologySpread } from "./plugins/pod-topology-spread.ts";
import { taintToleration } from "./plugins/taint-toleration.ts";
import { volumeBinding } from "./plugins/volume-binding.ts";
import { Snapshot } from "./snapshot.ts";
import type { ClusterPlugin, FilterPlugin, NodeInfo, ScorePlugin } from "./types.ts";

// The scheduling algorithm, pure: filter every node, score the survivors, pick the best. The framework shape
// follows kube-scheduler (one function per plugin) so plugins can be added without touching this file much.
// Per-node plugins are plain functions; plugins that need the whole cluster (topology spread, inter-pod
// affinity) prepare a state once per pod from the snapshot, then filter and score with it.

export const filters: FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  nodeAffinity,
  taintToleration,
  nodePorts,
  nodeResourcesFit,
  volumeBinding,
];
export const scores: ScorePlugin[] = [leastAllocated, balancedAllocation, nodeAffinityScore];
export const clusterPlugins: ClusterPlugin[] = [podTopologySpread, interPodAffinity];

/** Builds the pass's snapshot; the returned NodeInfos carry it, so `addPod` keeps its counters current. */
export function nodeInfos(
  nodes: KubeObject[],
  pods: KubeObject[],
  namespaceLabels?: Map<string, Record<string, string>>,
): NodeInfo[] {
  return new Snapshot(nodes, pods, namespaceLabels).nodes;
}

/** Accounts a pod on a node (also used between decisions of one batch). */
export function addPod(info: NodeInfo, pod: KubeObject): void {
  (info.snapshot ?? new Snapshot([], [])).add(info, pod);
}

export type ScheduleResult =
  | { node: string }
  | {
      message: string;
      /** The "0/N nodes are available: …." part, without the preemption outcome. */
      fitMessage: string;
      /** Why each node was rejected. */
      failed: Map<NodeInfo, string>;
    };

/** kube-scheduler's adaptive percentageOfNodesToScore: stop filtering once this many nodes fit. */
export function feasibleNodesToFind(total: number): number {
  if (total < 100) return total;
  const pct = Math.max(5, 50 - Math.floor(total / 125));
  return Math.max(100, Math.floor((total * pct) / 100));
}

/** Filter failures that evicting pods cannot fix (kube-scheduler's UnschedulableAndUnresolvable). */
export function preemptionCanHelp(reason: string): boolean {
  return (
    reason.startsWith("Insufficient ") ||
    reason === "Too many pods" ||
    reason === "node(s) didn't have free ports for the requested pod ports" ||
    reason === "node(s) didn't match pod anti-affinity rules" ||
    reason === "node(s) didn't satisfy existing pods anti-affinity rules" ||
    reason === "node(s) didn't match pod topology spread constraints"
  );
}

/** "N reason, M reason" sorted like kube-scheduler's FitError. */
export function reasonSummary(counts: Map<string, number>): string {
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([r, c]) => `${c} ${r}`)
    .join(", ");
}

/** The preemption part of a FailedScheduling message when no victims could make the pod fit. */
export function noPreemptionMessage(total: number, failed: Map<NodeInfo, string>): string {
  const counts = new Map<string, number>();
  for (const r of failed.values()) {
    const k = preemptionCanHelp(r)
      ? "No preemption victims found for incoming pod"
      : "Preemption is not helpful for scheduling";
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return `preemption: 0/${total} nodes are available: ${reasonSummary(counts)}.`;
}

type Prepared = { plugin: ClusterPlugin; state: unknown }[];

function prepare(pod: KubeObject, snap: Snapshot): Prepared {
  const out: Prepared = [];
  for (const plugin of clusterPlugins) {
    const state = plugin.prepare(pod, snap);
    if (state !== undefined) out.push({ plugin, state });
  }
  return out;
}

/** Runs every filter on one node; returns the first failure reason. */
function filterNode(pod: KubeObject, n: NodeInfo, prepared: Prepared): string | undefined {
  for (const f of filters) {
    const r = f(pod, n);
    if (r) return r;
  }
  for (const { plugin, state } of prepared) {
    const r = plugin.filter?.(pod, n, state);
    if (r) return r;
  }
  return undefined;
}

/** Whether the pod fits the node now (preemption asks this after taking victims off). */
export function fits(pod: KubeObject, n: NodeInfo, snap: Snapshot): string | undefined {
  return filterNode(pod, n, prepare(pod, snap));
}

// Where the next search starts, so consecutive pods do not all examine (and fill) the same nodes first.
let nextStart = 0;

export function schedule(pod: KubeObject, nodesOrSnap: NodeInfo[] | Snapshot): ScheduleResult {
  const snap =
    nodesOrSnap instanceof Snapshot ? nodesOrSnap : (nodesOrSnap[0]?.snapshot ?? new Snapshot([], []));
  const nodes = nodesOrSnap instanceof Snapshot ? nodesOrSnap.nodes : nodesOrSnap;
  const prepared = prepare(pod, snap);
  // Like kube-scheduler, the node a preemption nominated is tried first.
  const nominated = (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName;
  const nom = nominated ? snap.byName.get(nominated) : undefined;
  if (nom && nodes.includes(nom) && !filterNode(pod, nom, prepared)) return { node: nominated! };
  const failed = new Map<NodeInfo, string>();
  const feasible: NodeInfo[] = [];
  const want = feasibleNodesToFind(nodes.length);
  const start = nodes.length ? nextStart % nodes.length : 0;
  let examined = 0;
  for (let k = 0; k < nodes.length && feasible.length < want; k++) {
    const n = nodes[(start + k) % nodes.length];
    examined++;
    const r = filterNode(pod, n, prepared);
    if (r) failed.set(n, r);
    else feasible.push(n);
  }
  nextStart = start + examined;
  if (feasible.length === 0) {
    const counts = new Map<string, number>();
    for (const r of failed.values()) counts.set(r, (counts.get(r) ?? 0) + 1);
    const summary = reasonSummary(counts);
    const fitMessage = `0/${nodes.length} nodes are available${summary ? `: ${summary}` : ""}.`;
    return { message: `${fitMessage} ${noPreemptionMessage(nodes.length, failed)}`, fitMessage, failed };
  }
  const total = new Float64Array(feasible.length);
  for (let i = 0; i < feasible.length; i++) {
    let s = 0;
    for (const sc of scores) s += sc(pod, feasible[i]);
    total[i] = s;
  }
  for (const { plugin, state } of prepared) {
    const s = plugin.score?.(pod, feasible, state);
    if (!s) continue;
    const w = plugin.weight ?? 1;
    for (let i = 0; i < feasible.length; i++) total[i] += w * s[i];
  }
  let best = 0;
  for (let i = 1; i < feasible.length; i++) if (total[i] > total[best]) best = i;
  return { node: feasible[best].node.metadata.name! };
}
