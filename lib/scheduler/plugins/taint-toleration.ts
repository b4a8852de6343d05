import type { KubeObject } from "../../api/types.ts";
import type { FilterPlugin } from "../types.ts";

type Taint = { key: string; value?: string; effect: string };
type Toleration = { key?: string; operator?: string; value?: string; effect?: string };

export function tolerates(pod: KubeObject, taint: Taint): boolean {
  const tols = ((pod.spec as { tolerations?: Toleration[] }).tolerations ?? []) as Toleration[];
  return tols.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

export const taintToleration: FilterPlugin = (pod, n) => {
  const taints = ((n.node.spec as { taints?: Taint[] } | undefined)?.taints ?? []) as Taint[];
  const bad = taints.find(
    (t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(pod, t),
  );
  if (!bad) return undefined;
  return `node(s) had untolerated taint {${bad.key}: ${bad.value ?? ""}}`.replace(": }", "}");
};
