import type { KubeObject } from "../api/types.ts";

/** What the scheduler knows about a node: the Node object and the pods already bound to it. */
export interface NodeInfo {
  node: KubeObject;
  pods: KubeObject[];
  requested: Resources;
  /** Requests with kube-scheduler's non-zero defaults, for scoring only. */
  scoring: Resources;
  allocatable: Resources;
}

export interface Resources {
  cpu: number; // millicores
  memory: number; // bytes
  pods: number;
}

/** A filter returns undefined when the node fits, else the reason kube-scheduler would print. */
export type FilterPlugin = (pod: KubeObject, node: NodeInfo) => string | undefined;
/** A score plugin returns 0..100; higher is better. */
export type ScorePlugin = (pod: KubeObject, node: NodeInfo) => number;
