import type { FilterPlugin } from "../types.ts";

export const nodeName: FilterPlugin = (pod, n) => {
  const want = (pod.spec as { nodeName?: string }).nodeName;
  return want && want !== n.node.metadata.name ? "node(s) didn't match the requested node name" : undefined;
};
