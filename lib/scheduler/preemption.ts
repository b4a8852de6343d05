import type { KubeObject } from "../api/types.ts";
import { fits, preemptionCanHelp } from "./schedule.ts";
import type { Snapshot } from "./snapshot.ts";
import type { NodeInfo } from "./types.ts";

// DefaultPreemption, pure: for a pod that fits nowhere, find the node where evicting the fewest and least
// important lower-priority pods makes it fit. The snapshot is changed while candidates are simulated and
// restored before returning.

export interface Preemption {
  node: NodeInfo;
  victims: KubeObject[];
}

export const priorityOf = (p: KubeObject): number =>
  (p.spec as { priority?: number } | undefined)?.priority ?? 0;

const startOf = (p: KubeObject): number =>
  Date.parse(
    (p.status as { startTime?: string } | undefined)?.startTime ?? p.metadata.creationTimestamp ?? "",
  ) || 0;

/** A pod may preempt unless its policy says Never. */
export function mayPreempt(pod: KubeObject): boolean {
  return (pod.spec as { preemptionPolicy?: string } | undefined)?.preemptionPolicy !== "Never";
}

/** Victims on one node, or undefined when evicting every lower-priority pod there would not help. */
export function victimsOn(pod: KubeObject, n: NodeInfo, snap: Snapshot): KubeObject[] | undefined {
  const prio = priorityOf(pod);
  const lower = n.pods.filter((p) => priorityOf(p) < prio && !p.metadata.deletionTimestamp);
  if (lower.length === 0) return undefined;
  for (const p of lower) snap.remove(n, p);
  if (fits(pod, n, snap) !== undefined) {
    for (const p of lower) snap.add(n, p);
    return undefined;
  }
  // Reprieve the most important pods first (higher priority, then running longer), keeping each whose
  // return still leaves room for the preemptor.
  const order = [...lower].sort((a, b) => priorityOf(b) - priorityOf(a) || startOf(a) - startOf(b));
  const victims: KubeObject[] = [];
  for (const p of order) {
    snap.add(n, p);
    if (fits(pod, n, snap) !== undefined) {
      snap.remove(n, p);
      victims.push(p);
    }
  }
  for (const p of victims) snap.add(n, p);
  return victims;
}

/** The best node to preempt on: lowest highest-victim priority, then lowest priority sum, then fewest victims. */
export function findPreemption(
  pod: KubeObject,
  snap: Snapshot,
  failed: Map<NodeInfo, string>,
): Preemption | undefined {
  if (!mayPreempt(pod)) return undefined;
  const limit = Math.max(100, Math.floor(snap.nodes.length / 10));
  let best: { p: Preemption; key: number[] } | undefined;
  let found = 0;
  for (const [n, reason] of failed) {
    if (!preemptionCanHelp(reason)) continue;
    const victims = victimsOn(pod, n, snap);
    if (!victims) continue;
    const prios = victims.map(priorityOf);
    const key = [Math.max(...prios), prios.reduce((a, b) => a + b, 0), victims.length];
    if (!best || less(key, best.key)) best = { p: { node: n, victims }, key };
    if (++found >= limit) break;
  }
  return best?.p;
}

function less(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}
