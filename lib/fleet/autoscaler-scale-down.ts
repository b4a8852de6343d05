import { disruptionsAllowedOf, selects } from "../api/disruption-budget.ts";
import { hasTaint, isCordoned, isNodeReady } from "../api/nodes.ts";
import { podSpecOf, podStatusOf } from "../api/pods.ts";
import type { KubeObject } from "../api/types.ts";
import { podRequests } from "../scheduler/resources.ts";
import { fits } from "../scheduler/schedule.ts";
import { Snapshot } from "../scheduler/snapshot.ts";
import type { NodeInfo } from "../scheduler/types.ts";
import type { GroupOptions } from "./autoscaler-options.ts";

// The Cluster Autoscaler's scale-down decision, pure (CA's planner and its drain rules):
// - A node of a managed group is unneeded when the pods on it request less than the threshold of its
//   allocatable, cpu and memory both (utilization is the larger of the two), and every pod that would have to
//   move can: DaemonSet and mirror pods go with the node; a pod annotated
//   cluster-autoscaler.kubernetes.io/safe-to-evict=false, or (unless annotated "true") one with no controller,
//   with local storage (emptyDir not in memory, hostPath) or a non-PDB kube-system pod, blocks the node, as
//   does a PodDisruptionBudget with no disruption left; the others must fit the remaining nodes (simulated
//   with the scheduler's filters, each node's pods placed before the next node is considered).
// - Each group keeps at least minSize: no more of its nodes are unneeded than it has above its minimum.
// - A node unneeded for the group's scale-down-unneeded-time is removed.

export const TO_BE_DELETED_TAINT = "ToBeDeletedByClusterAutoscaler";
export const SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
export const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";

export interface GroupDown extends GroupOptions {
  name: string;
  min: number;
  /** Its desiredSize: the node count minSize is kept against. */
  size: number;
}

export interface ScaleDownPlan {
  /** Nodes unneeded now, with since when (kept from `since`, else now). */
  unneeded: Map<string, number>;
  /** Unneeded nodes whose time is up, with the pods that will move. */
  remove: { node: string; group: string; pods: KubeObject[] }[];
  /** Why a candidate node is needed (for the log). */
  needed: Map<string, string>;
}

type Meta = { annotations?: Record<string, string> };
const annotation = (p: KubeObject, k: string) => (p.metadata as Meta).annotations?.[k];
const phaseOf = (p: KubeObject) => podStatusOf(p).phase;
const podName = (p: KubeObject) => `${p.metadata.namespace}/${p.metadata.name}`;

const isDaemonSetPod = (p: KubeObject) =>
  (p.metadata.ownerReferences ?? []).some((o) => o.kind === "DaemonSet" && o.controller);
const isMirrorPod = (p: KubeObject) => annotation(p, "kubernetes.io/config.mirror") !== undefined;
const isTerminal = (p: KubeObject) => phaseOf(p) === "Succeeded" || phaseOf(p) === "Failed";

function hasLocalStorage(p: KubeObject): boolean {
  return (podSpecOf(p).volumes ?? []).some(
    (v) => v.hostPath !== undefined || (v.emptyDir !== undefined && v.emptyDir.medium !== "Memory"),
  );
}

/**
 * The pods that must move off a node, or why the node cannot be drained (CA's drain rules). `commit` takes
 * their disruptions off the budgets, once the node is sure to go.
 */
export function podsToMove(
  pods: readonly KubeObject[],
  pdbs: readonly KubeObject[],
  budgets: Map<KubeObject, number>,
): { pods: KubeObject[]; commit: () => void } | { blocked: string } {
  const out: KubeObject[] = [];
  const use = new Map<KubeObject, number>();
  for (const p of pods) {
    if (isDaemonSetPod(p) || isMirrorPod(p) || isTerminal(p) || p.metadata.deletionTimestamp) continue;
    const safe = annotation(p, SAFE_TO_EVICT);
    if (safe === "false") return { blocked: `pod annotated as not safe to evict present: ${podName(p)}` };
    const covering = pdbs.filter((b) => b.metadata.namespace === p.metadata.namespace && selects(b, p));
    if (safe !== "true") {
      const controlled = (p.metadata.ownerReferences ?? []).some((o) => o.controller);
      if (!controlled) return { blocked: `${podName(p)} is not replicated` };
      if (p.metadata.namespace === "kube-system" && covering.length === 0)
        return {
          blocked: `non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: ${podName(p)}`,
        };
      if (hasLocalStorage(p)) return { blocked: `pod with local storage present: ${podName(p)}` };
    }
    for (const b of covering) {
      const n = (use.get(b) ?? 0) + 1;
      if (n > (budgets.get(b) ?? 0))
        return { blocked: `not enough pod disruption budget to move ${podName(p)}` };
      use.set(b, n);
    }
    out.push(p);
  }
  const commit = () => {
    for (const [b, n] of use) budgets.set(b, (budgets.get(b) ?? 0) - n);
  };
  return { pods: out, commit };
}

/** max(cpu, memory) requested over allocatable. */
export function utilization(info: NodeInfo, ignoreDaemonSets: boolean): number {
  let cpu = 0;
  let mem = 0;
  for (const p of info.pods) {
    if (isTerminal(p) || (ignoreDaemonSets && isDaemonSetPod(p))) continue;
    const r = podRequests(p);
    cpu += r.cpu;
    mem += r.memory;
  }
  const a = info.allocatable;
  return Math.max(a.cpu ? cpu / a.cpu : 0, a.memory ? mem / a.memory : 0);
}

/** The pod as the scheduler would see it again once evicted and recreated: not bound to its node. */
function unbound(p: KubeObject): KubeObject {
  const { nodeName: _, ...spec } = (p.spec ?? {}) as Record<string, unknown>;
  return { ...p, spec };
}

export function planScaleDown(
  nodes: KubeObject[],
  pods: KubeObject[],
  pdbs: KubeObject[],
  groups: GroupDown[],
  since: Readonly<Record<string, number>>,
  now: number,
): ScaleDownPlan {
  const snap = new Snapshot(nodes, pods);
  const byGroup = new Map(groups.map((g) => [g.name, g]));
  const budgets = new Map(pdbs.map((b) => [b, disruptionsAllowedOf(b)]));
  const spare = new Map(groups.map((g) => [g.name, g.size - g.min]));
  const gone = new Set<NodeInfo>();
  const plan: ScaleDownPlan = { unneeded: new Map(), remove: [], needed: new Map() };
  const candidates = snap.nodes
    .filter((i) => {
      const g = byGroup.get(i.node.metadata.labels?.[NODEGROUP_LABEL] ?? "");
      return g && isNodeReady(i.node) && !hasTaint(i.node, TO_BE_DELETED_TAINT) && !isCordoned(i.node);
    })
    .map((i) => {
      const g = byGroup.get(i.node.metadata.labels![NODEGROUP_LABEL])!;
      return { i, g, u: utilization(i, g.ignoreDaemonSetsUtilization) };
    })
    .sort((a, b) => a.u - b.u || a.i.node.metadata.name!.localeCompare(b.i.node.metadata.name!));
  for (const { i, g, u } of candidates) {
    const name = i.node.metadata.name!;
    if (u >= g.threshold) {
      plan.needed.set(name, `utilization ${u.toFixed(3)} is not below ${g.threshold}`);
      continue;
    }
    if ((spare.get(g.name) ?? 0) <= 0) {
      plan.needed.set(name, "node group min size reached");
      continue;
    }
    const move = podsToMove(i.pods, pdbs, budgets);
    if ("blocked" in move) {
      plan.needed.set(name, move.blocked);
      continue;
    }
    // Place its pods on the nodes that stay; undo if one does not fit anywhere.
    const placed: [NodeInfo, KubeObject][] = [];
    let stuck: KubeObject | undefined;
    for (const p of move.pods) {
      const moved = unbound(p);
      const dest = snap.nodes.find((d) => d !== i && !gone.has(d) && !fits(moved, d, snap));
      if (!dest) {
        stuck = p;
        break;
      }
      snap.add(dest, moved);
      placed.push([dest, moved]);
    }
    if (stuck) {
      for (const [d, p] of placed) snap.remove(d, p);
      plan.needed.set(name, `no place to move pod ${podName(stuck)}`);
      continue;
    }
    move.commit();
    gone.add(i);
    spare.set(g.name, (spare.get(g.name) ?? 0) - 1);
    const from = since[name] ?? now;
    plan.unneeded.set(name, from);
    if (now - from >= g.unneededMs) plan.remove.push({ node: name, group: g.name, pods: move.pods });
  }
  return plan;
}
