import type { KubeObject } from "../../api/types.ts";
import type { FilterPlugin, ScorePlugin } from "../types.ts";

// nodeSelector plus required and preferred node affinity.

type Expr = { key: string; operator: string; values?: string[] };
type Term = { matchExpressions?: Expr[]; matchFields?: Expr[] };

function exprMatches(e: Expr, labels: Record<string, string>): boolean {
  const v = labels[e.key];
  switch (e.operator) {
    case "In":
      return v !== undefined && (e.values ?? []).includes(v);
    case "NotIn":
      return v === undefined || !(e.values ?? []).includes(v);
    case "Exists":
      return v !== undefined;
    case "DoesNotExist":
      return v === undefined;
    case "Gt":
      return v !== undefined && Number(v) > Number(e.values?.[0]);
    case "Lt":
      return v !== undefined && Number(v) < Number(e.values?.[0]);
    default:
      return false;
  }
}

export function termMatches(t: Term, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const fields = { "metadata.name": node.metadata.name ?? "" };
  return (
    (t.matchExpressions ?? []).every((e) => exprMatches(e, labels)) &&
    (t.matchFields ?? []).every((e) => exprMatches(e, fields))
  );
}

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
