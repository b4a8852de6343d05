import type { KubeObject } from "./types.ts";

// Typed views of nodes, taints and tolerations, and the predicates the scheduler, the controllers and the
// fleet loops all ask of them. The Node schema is open, so these name the fields those loops read.

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface NodeSpec {
  taints?: Taint[];
  unschedulable?: boolean;
  providerID?: string;
  podCIDR?: string;
}

export interface NodeStatus {
  conditions?: NodeCondition[];
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
}

export const nodeSpecOf = (n: KubeObject | undefined): NodeSpec => (n?.spec ?? {}) as NodeSpec;
export const nodeStatusOf = (n: KubeObject | undefined): NodeStatus => (n?.status ?? {}) as NodeStatus;

export const taintsOf = (node: KubeObject | undefined): Taint[] => nodeSpecOf(node).taints ?? [];

export const tolerationsOf = (pod: KubeObject): Toleration[] =>
  ((pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? []) as Toleration[];

export const hasTaint = (node: KubeObject | undefined, key: string): boolean =>
  taintsOf(node).some((t) => t.key === key);

export const isNodeReady = (node: KubeObject | undefined): boolean =>
  (nodeStatusOf(node).conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

export const isCordoned = (node: KubeObject | undefined): boolean => nodeSpecOf(node).unschedulable === true;

/** v1helper.ToleratesTaint: an empty effect matches every effect, Exists with an empty key every key. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === "Exists") return !t.key || t.key === taint.key;
  if (t.key !== taint.key) return false;
  return (t.value ?? "") === (taint.value ?? "");
}
