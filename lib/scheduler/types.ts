import type { KubeObject } from "../api/types.ts";
import type { Snapshot } from "./snapshot.ts";

/** What the scheduler knows about a node: the Node object and the pods already bound to it. */
export interface NodeInfo {
  node: KubeObject;
  pods: KubeObject[];
  requested: Resources;
  /** Requests with kube-scheduler's non-zero defaults, for scoring only. */
  scoring: Resources;
  allocatable: Resources;
  /** Position in its snapshot (indexes the per-node counters). */
  index?: number;
  /** The snapshot this node belongs to, so accounting a pod also updates the cluster-wide indices. */
  snapshot?: Snapshot;
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

/**
 * A plugin that needs the whole cluster (PreFilter/Filter/Score in kube-scheduler terms): `prepare` reads the
 * snapshot once per pod and returns undefined when the plugin has nothing to say about this pod.
 */
export interface ClusterPlugin<S = any> {
  name: string;
  prepare(pod: KubeObject, snap: Snapshot): S | undefined;
  filter?(pod: KubeObject, node: NodeInfo, state: S): string | undefined;
  /** Scores every feasible node 0..100 at once (these scores are normalised across nodes). */
  score?(pod: KubeObject, nodes: NodeInfo[], state: S): number[] | undefined;
  /** Score weight, as in kube-scheduler's default profile. */
  weight?: number;
}
