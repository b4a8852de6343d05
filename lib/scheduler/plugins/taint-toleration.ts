import { type Taint, taintsOf, toleratesTaint, tolerationsOf } from "../../api/nodes.ts";
import type { KubeObject } from "../../api/types.ts";
import type { FilterPlugin } from "../types.ts";

export const tolerates = (pod: KubeObject, taint: Taint): boolean =>
  tolerationsOf(pod).some((t) => toleratesTaint(t, taint));

export const taintToleration: FilterPlugin = (pod, n) => {
  const bad = taintsOf(n.node).find(
    (t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(pod, t),
  );
  if (!bad) return undefined;
  return `node(s) had untolerated taint {${bad.key}: ${bad.value ?? ""}}`.replace(": }", "}");
};
