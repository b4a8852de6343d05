import type { FilterPlugin } from "../types.ts";
import { tolerates } from "./taint-toleration.ts";

export const nodeUnschedulable: FilterPlugin = (pod, n) => {
  if (!(n.node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) return undefined;
  const taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
  return tolerates(pod, taint) ? undefined : "node(s) were unschedulable";
};
