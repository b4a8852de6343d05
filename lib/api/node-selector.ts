import type { KubeObject } from "./types.ts";

// Node selector terms (node affinity, PV node affinity): matchExpressions over labels, matchFields over
// metadata.name, with the operators of core/v1 NodeSelectorRequirement.

export type NodeSelectorRequirement = { key: string; operator: string; values?: string[] };
export type NodeSelectorTerm = {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
};

function exprMatches(e: NodeSelectorRequirement, labels: Record<string, string>): boolean {
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

export function termMatches(t: NodeSelectorTerm, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const fields = { "metadata.name": node.metadata.name ?? "" };
  return (
    (t.matchExpressions ?? []).every((e) => exprMatches(e, labels)) &&
    (t.matchFields ?? []).every((e) => exprMatches(e, fields))
  );
}
