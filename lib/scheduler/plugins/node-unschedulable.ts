import { isCordoned } from "../../api/nodes.ts";
import type { FilterPlugin } from "../types.ts";
import { tolerates } from "./taint-toleration.ts";

export const nodeUnschedulable: FilterPlugin = (pod, n) => {
  if (!isCordoned(n.node)) return undefined;
  const taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
  return tolerates(pod, taint) ? undefined : "node(s) were unschedulable";
};
