import type { KubeObject } from "../api/types.ts";
import { balancedAllocation, leastAllocated } from "./plugins/least-allocated.ts";
import { nodeAffinity, nodeAffinityScore } from "./plugins/node-affinity.ts";
import { nodeName } from "./plugins/node-name.ts";
import { nodeResourcesFit } from "./plugins/node-resources-fit.ts";
import { nodeUnschedulable } from "./plugins/node-unschedulable.ts";
import { taintToleration } from "./plugins/taint-toleration.ts";
import { allocatableOf, podRequests, podRequestsForScoring } from "./resources.ts";
import type { FilterPlugin, NodeInfo, ScorePlugin } from "./types.ts";

// The scheduling algorithm, pure: filter every node, score the survivors, pick the best. The framework shape
// follows kube-scheduler (one function per plugin) so plugins can be added without touching this file much.

export const filters: FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  nodeAffinity,
  taintToleration,
  nodeResourcesFit,
];
export const scores: ScorePlugin[] = [leastAllocated, balancedAllocation, nodeAffinityScore];

export function nodeInfos(nodes: KubeObject[], pods: KubeObject[]): NodeInfo[] {
  const byNode = new Map<string, KubeObject[]>();
  for (const p of pods) {
    const n = (p.spec as { nodeName?: string }).nodeName;
    const phase = (p.status as { phase?: string } | undefined)?.phase;
    if (!n || phase === "Succeeded" || phase === "Failed") continue;
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  return nodes.map((node) => {
    const bound = byNode.get(node.metadata.name!) ?? [];
    const info: NodeInfo = {
      node,
      pods: [],
      requested: { cpu: 0, memory: 0, pods: 0 },
      scoring: { cpu: 0, memory: 0, pods: 0 },
      allocatable: allocatableOf(node),
    };
    for (const p of bound) addPod(info, p);
    return info;
  });
}

/** Accounts a pod on a node (also used between decisions of one batch). */
export function addPod(info: NodeInfo, pod: KubeObject): void {
  const r = podRequests(pod);
  const s = podRequestsForScoring(pod);
  info.pods.push(pod);
  info.requested.pods++;
  info.requested.cpu += r.cpu;
  info.requested.memory += r.memory;
  info.scoring.cpu += s.cpu;
  info.scoring.memory += s.memory;
}

export type ScheduleResult = { node: string } | { message: string };

/** kube-scheduler's adaptive percentageOfNodesToScore: stop filtering once this many nodes fit. */
export function feasibleNodesToFind(total: number): number {
  if (total < 100) return total;
  const pct = Math.max(5, 50 - Math.floor(total / 125));
  return Math.max(100, Math.floor((total * pct) / 100));
}

// Where the next search starts, so consecutive pods do not all examine (and fill) the same nodes first.
let nextStart = 0;

export function schedule(pod: KubeObject, nodes: NodeInfo[]): ScheduleResult {
  const reasons = new Map<string, number>();
  const feasible: NodeInfo[] = [];
  const want = feasibleNodesToFind(nodes.length);
  const start = nodes.length ? nextStart % nodes.length : 0;
  let examined = 0;
  for (let k = 0; k < nodes.length && feasible.length < want; k++) {
    const n = nodes[(start + k) % nodes.length];
    examined++;
    let failed: string | undefined;
    for (const f of filters) {
      failed = f(pod, n);
      if (failed) break;
    }
    if (failed) reasons.set(failed, (reasons.get(failed) ?? 0) + 1);
    else feasible.push(n);
  }
  nextStart = start + examined;
  if (feasible.length === 0) {
    const parts = [...reasons.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([r, c]) => `${c} ${r}`);
    const suffix = parts.length ? ` ${parts.join(", ")}.` : "";
    return {
      message: `0/${nodes.length} nodes are available:${suffix} preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`,
    };
  }
  let best = feasible[0];
  let bestScore = -1;
  for (const n of feasible) {
    const s = scores.reduce((sum, sc) => sum + sc(pod, n), 0);
    if (s > bestScore) {
      best = n;
      bestScore = s;
    }
  }
  return { node: best.node.metadata.name! };
}
