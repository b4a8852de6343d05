import { podRequests } from "../resources.ts";
import type { FilterPlugin } from "../types.ts";

export const nodeResourcesFit: FilterPlugin = (pod, n) => {
  const req = podRequests(pod);
  if (n.requested.pods + 1 > n.allocatable.pods) return "Too many pods";
  if (req.cpu > 0 && n.requested.cpu + req.cpu > n.allocatable.cpu) return "Insufficient cpu";
  if (req.memory > 0 && n.requested.memory + req.memory > n.allocatable.memory) return "Insufficient memory";
  return undefined;
};
