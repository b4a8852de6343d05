import {
  isCordoned,
  nodeStatusOf,
  type Taint,
  type Toleration,
  taintsOf,
  toleratesTaint,
  tolerationsOf,
} from "../api/nodes.ts";
import type { KubeObject } from "../api/types.ts";

// Taints and tolerations as the node lifecycle controller, the NoExecute taint manager and the DaemonSet
// controller see them. Pure functions, so the rules can be unit-tested without a cluster.

export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
export const TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
export const TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
export const TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure";
export const TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

/** Taint keys the node lifecycle controller owns: it adds and removes them from node conditions. */
export const LIFECYCLE_TAINT_KEYS = new Set([
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_PID_PRESSURE,
]);

/** The first taint (of the given effects) that no toleration tolerates. */
export function untoleratedTaint(
  tolerations: Toleration[],
  taints: Taint[],
  effects: string[],
): Taint | undefined {
  return taints.find((tn) => effects.includes(tn.effect) && !tolerations.some((t) => toleratesTaint(t, tn)));
}

export type EvictionDecision = { action: "keep" } | { action: "evict" } | { action: "wait"; at: number };

/**
 * The NoExecute taint manager's decision for a pod on a node: evict at once when some NoExecute taint is not
 * tolerated; when every one is tolerated, evict at the smallest tolerationSeconds among the tolerations used,
 * counted from when the taint appeared (or the pod was created, whichever is later); tolerations without
 * tolerationSeconds tolerate forever.
 */
export function evictionDecision(pod: KubeObject, taints: Taint[], nowMs: number): EvictionDecision {
  const noExecute = taints.filter((t) => t.effect === "NoExecute");
  if (noExecute.length === 0) return { action: "keep" };
  const tols = tolerationsOf(pod);
  let minSeconds = Number.POSITIVE_INFINITY;
  const created = Date.parse(pod.metadata.creationTimestamp ?? "");
  let since = Number.isNaN(created) ? 0 : created;
  for (const taint of noExecute) {
    const used = tols.filter((t) => toleratesTaint(t, taint));
    if (used.length === 0) return { action: "evict" };
    const bounded = used.filter((t) => typeof t.tolerationSeconds === "number");
    if (bounded.length === 0) continue; // tolerated forever: neither bounds nor dates the eviction
    minSeconds = Math.min(minSeconds, ...bounded.map((t) => t.tolerationSeconds!));
    // A taint without timeAdded is dated by the pod's creation (never by "now", which would move on).
    const added = Date.parse(taint.timeAdded ?? "");
    if (!Number.isNaN(added)) since = Math.max(since, added);
  }
  if (minSeconds === Number.POSITIVE_INFINITY) return { action: "keep" };
  if (minSeconds <= 0) return { action: "evict" };
  const at = since + minSeconds * 1000;
  return at <= nowMs ? { action: "evict" } : { action: "wait", at };
}

/**
 * The taints the node lifecycle controller wants from a node's conditions and spec.unschedulable
 * (TaintNodesByCondition plus the NoExecute taints of taint-based eviction).
 */
export function lifecycleTaints(node: KubeObject): { key: string; effect: string }[] {
  const conds = nodeStatusOf(node).conditions ?? [];
  const status = (type: string) => conds.find((c) => c.type === type)?.status;
  const out: { key: string; effect: string }[] = [];
  const ready = status("Ready");
  const both = (key: string) => out.push({ key, effect: "NoSchedule" }, { key, effect: "NoExecute" });
  if (ready === "False") both(TAINT_NOT_READY);
  else if (ready === "Unknown") both(TAINT_UNREACHABLE);
  if (status("MemoryPressure") === "True") out.push({ key: TAINT_MEMORY_PRESSURE, effect: "NoSchedule" });
  if (status("DiskPressure") === "True") out.push({ key: TAINT_DISK_PRESSURE, effect: "NoSchedule" });
  if (status("PIDPressure") === "True") out.push({ key: TAINT_PID_PRESSURE, effect: "NoSchedule" });
  if (isCordoned(node)) out.push({ key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" });
  return out;
}

/**
 * The node's taints with the lifecycle-owned ones brought in line with `lifecycleTaints`: other taints are
 * kept as they are, existing wanted taints keep their timeAdded, new NoExecute taints get `nowIso`.
 * Returns undefined when nothing changes.
 */
export function reconcileTaints(node: KubeObject, nowIso: string): Taint[] | undefined {
  const current = taintsOf(node);
  const wanted = lifecycleTaints(node);
  const same = (a: { key: string; effect: string }, b: { key: string; effect: string }) =>
    a.key === b.key && a.effect === b.effect;
  const kept = current.filter((t) => !LIFECYCLE_TAINT_KEYS.has(t.key) || wanted.some((w) => same(w, t)));
  const added = wanted
    .filter((w) => !current.some((t) => same(w, t)))
    .map((w) => (w.effect === "NoExecute" ? { ...w, timeAdded: nowIso } : { ...w }));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}
