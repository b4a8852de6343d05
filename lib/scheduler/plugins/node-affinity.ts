import { type NodeSelectorTerm as Term, termMatches } from "../../api/node-selector.ts";
import type { KubeObject } from "../../api/types.ts";
import type { FilterPlugin, ScorePlugin } from "../types.ts";

// nodeSelector plus required and preferred node affinity.

const affinityOf = (pod: KubeObject) =>
  (pod.spec as { affinity?: { nodeAffinity?: any } }).affinity?.nodeAffinity;

export const nodeAffinity: FilterPlugin = (pod, n) => {
  const sel = (pod.spec as { nodeSelector?: Record<string, string> }).nodeSelector ?? {};
  const labels = n.node.metadata.labels ?? {};
  const selectorOk = Object.entries(sel).every(([k, v]) => labels[k] === v);
  const terms = (affinityOf(pod)?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ??
    []) as Term[];
  const affinityOk = terms.length === 0 || terms.some((t) => termMatches(t, n.node));
  return selectorOk && affinityOk ? undefined : "node(s) didn't match Pod's node affinity/selector";
};

export const nodeAffinityScore: ScorePlugin = (pod, n) => {
  const prefs = (affinityOf(pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? []) as {
    weight: number;
    preference: Term;
  }[];
  if (prefs.length === 0) return 0;
  const total = prefs.reduce((s, p) => s + p.weight, 0);
  const got = prefs.filter((p) => termMatches(p.preference, n.node)).reduce((s, p) => s + p.weight, 0);
  return total ? (100 * got) / total : 0;
};
