import { podRequestsForScoring as podRequests } from "../resources.ts";
import type { ScorePlugin } from "../types.ts";

/** Prefers nodes with the most free cpu and memory after placing the pod. */
export const leastAllocated: ScorePlugin = (pod, n) => {
  const req = podRequests(pod);
  const free = (used: number, cap: number) => (cap <= 0 ? 0 : Math.max(0, (cap - used) / cap));
  return (
    50 * free(n.scoring.cpu + req.cpu, n.allocatable.cpu) +
    50 * free(n.scoring.memory + req.memory, n.allocatable.memory)
  );
};

/** Prefers nodes where cpu and memory stay balanced. */
export const balancedAllocation: ScorePlugin = (pod, n) => {
  const req = podRequests(pod);
  const c = n.allocatable.cpu ? (n.scoring.cpu + req.cpu) / n.allocatable.cpu : 0;
  const m = n.allocatable.memory ? (n.scoring.memory + req.memory) / n.allocatable.memory : 0;
  return 100 * (1 - Math.abs(c - m));
};
