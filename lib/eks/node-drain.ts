import { taintsOf } from "../api/nodes.ts";
import { podSpecOf } from "../api/pods.ts";
import { StatusError } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import { isConflict } from "../client/client.ts";
import { clientFor } from "../client/runtime.ts";
import { log } from "../log.ts";

// What a managed node group does to its Node objects through the cluster's own API server, as the EKS
// service does: as `eks` (the user eks:addon-manager, bound to cluster-admin by eks:addon-cluster-admin), so
// RBAC lets it patch nodes, create pods/eviction and delete nodes.
// - Label and taint changes (UpdateNodegroupConfig) are merge patches of each node, with the node's
//   resourceVersion (retried on conflict). A taint removed by hand is not re-added: only the requested
//   additions and removals are applied to the node's current taints.
// - Scale-in drains like `kubectl drain` and the ASG lifecycle hook EKS installs: cordon every victim first
//   (so evicted pods are not rescheduled onto another node about to go), then evict their pods through the
//   Eviction API, which respects PodDisruptionBudgets; a 429 is retried until the deadline. EKS gives up
//   after 15 minutes and terminates the node anyway; the simulation's deadline is shorter (NodegroupDeps).

const MANAGER = "eks";
const POLL_MS = 500;

export interface NodeTaint {
  key: string;
  value?: string;
  effect: string;
}

/** A label/taint change, taint effects in Kubernetes spelling (NoSchedule…). */
export interface NodeChange {
  addLabels: Record<string, string>;
  removeLabels: string[];
  addTaints: NodeTaint[];
  /** Without an effect, every taint of the key goes. */
  removeTaints: { key: string; effect?: string }[];
}

export const isEmptyChange = (c: NodeChange): boolean =>
  Object.keys(c.addLabels).length === 0 &&
  c.removeLabels.length === 0 &&
  c.addTaints.length === 0 &&
  c.removeTaints.length === 0;

/** The labels and taints of a node (or a group) after a change. */
export function applyNodeChange(
  labels: Record<string, string>,
  taints: readonly NodeTaint[],
  c: NodeChange,
): { labels: Record<string, string>; taints: NodeTaint[] } {
  const nextLabels = { ...labels };
  for (const k of c.removeLabels) delete nextLabels[k];
  Object.assign(nextLabels, c.addLabels);
  let next = taints.filter(
    (t) => !c.removeTaints.some((r) => r.key === t.key && (r.effect === undefined || r.effect === t.effect)),
  );
  for (const t of c.addTaints) {
    const i = next.findIndex((x) => x.key === t.key && x.effect === t.effect);
    const copy = { key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect };
    if (i >= 0) next = next.map((x, j) => (j === i ? copy : x));
    else next.push(copy);
  }
  return { labels: nextLabels, taints: next };
}

const nodePath = (name: string) => `/api/v1/nodes/${encodeURIComponent(name)}`;

/** Applies a label/taint change to one node; a node that is gone is skipped. */
export async function patchNode(cluster: string, name: string, change: NodeChange): Promise<void> {
  const api = clientFor(cluster, MANAGER);
  for (let attempt = 0; ; attempt++) {
    const node = await api.get(nodePath(name));
    if (!node) return;
    const { taints } = applyNodeChange({}, taintsOf(node), change);
    const labels: Record<string, string | null> = { ...change.addLabels };
    for (const k of change.removeLabels) if (!(k in change.addLabels)) labels[k] = null;
    try {
      await api.mergePatch(nodePath(name), {
        metadata: { labels, resourceVersion: node.metadata.resourceVersion },
        spec: { taints: taints.length ? taints : null },
      });
      return;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      if (!isConflict(e) || attempt >= 5) throw e;
    }
  }
}

/** Marks the node unschedulable (kubectl cordon); a node that is gone is skipped. */
export async function cordonNode(cluster: string, name: string): Promise<void> {
  try {
    await clientFor(cluster, MANAGER).mergePatch(nodePath(name), { spec: { unschedulable: true } });
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
}

/** Makes the node schedulable again (kubectl uncordon), as a failed update leaves its old nodes. */
export async function uncordonNode(cluster: string, name: string): Promise<void> {
  try {
    await clientFor(cluster, MANAGER).mergePatch(nodePath(name), { spec: { unschedulable: null } });
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
}

/**
 * Deletes the pods left on the nodes without the Eviction API, so no PodDisruptionBudget can hold them: what
 * a forced node-group update does to pods whose eviction a budget keeps refusing.
 */
export async function forceDeletePods(cluster: string, nodes: readonly string[]): Promise<number> {
  const api = clientFor(cluster, MANAGER);
  let n = 0;
  for (const node of nodes)
    for (const p of await podsOn(cluster, node)) {
      const ns = encodeURIComponent(p.metadata.namespace ?? "default");
      try {
        await api.delete(`/api/v1/namespaces/${ns}/pods/${encodeURIComponent(p.metadata.name!)}`);
        n++;
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
  return n;
}

/** kubectl drain's filter: DaemonSet pods and mirror pods stay (they go with the node). */
function drainable(pod: KubeObject): boolean {
  if (pod.metadata.annotations?.["kubernetes.io/config.mirror"]) return false;
  return !(pod.metadata.ownerReferences ?? []).some((o) => o.kind === "DaemonSet" && o.controller);
}

/** Pods still to leave these nodes (terminating ones included: they have not left yet), from one list. */
export async function podsLeftOn(cluster: string, nodes: readonly string[]): Promise<number> {
  const on = new Set(nodes);
  const { items } = await clientFor(cluster, MANAGER).list("/api/v1/pods");
  return items.filter((p) => on.has(podSpecOf(p).nodeName ?? "") && drainable(p)).length;
}

async function podsOn(cluster: string, node: string): Promise<KubeObject[]> {
  const sel = encodeURIComponent(`spec.nodeName=${node}`);
  const { items } = await clientFor(cluster, MANAGER).list(`/api/v1/pods?fieldSelector=${sel}`);
  return items.filter(drainable);
}

async function evictPod(cluster: string, pod: KubeObject): Promise<void> {
  const ns = pod.metadata.namespace ?? "default";
  const name = pod.metadata.name!;
  try {
    await clientFor(cluster, MANAGER).create(
      `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/eviction`,
      { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: ns } },
    );
  } catch (e) {
    // 429: a budget (or concurrent evictions) says not yet; 404: already gone. Both: look again later.
    if (!(e instanceof StatusError && (e.code === 429 || e.code === 404))) throw e;
  }
}

/**
 * Cordons the nodes, then evicts their pods until none is left or `timeoutMs` has passed. Returns the nodes
 * still holding pods at the deadline (a scale-in terminates them anyway, as EKS's does; a rollout step tries
 * again later).
 */
export async function drainNodes(
  cluster: string,
  nodes: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  for (const n of nodes) await cordonNode(cluster, n);
  const deadline = Date.now() + timeoutMs;
  let left = [...nodes];
  for (;;) {
    const still: string[] = [];
    for (const n of left) {
      const pods = await podsOn(cluster, n);
      if (pods.length === 0) continue;
      still.push(n);
      for (const p of pods) if (!p.metadata.deletionTimestamp) await evictPod(cluster, p);
    }
    left = still;
    if (left.length === 0) return [];
    if (Date.now() >= deadline) {
      // The caller decides what a deadline means (terminate anyway, try again, fail an update).
      log("debug", "node drain deadline reached with pods left", { cluster, nodes: left });
      return left;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
