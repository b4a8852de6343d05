import { isPodActive, isPodReady, ownedBy } from "../api/pods.ts";
import { labelSelectorFromObject } from "../api/selectors.ts";
import type { KubeObject } from "../api/types.ts";
import { isStaleWrite } from "../client/client.ts";
import { forEachLimit } from "../client/parallel.ts";
import { clientFor, splitKey } from "../client/runtime.ts";
import type { WorkItem } from "../runtime/work.ts";
import { controllerRef } from "./owner.ts";

// ReplicaSet: keeps spec.replicas pods that it owns, and reports how many exist, are ready and available.

export async function reconcileReplicaSet(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "replicaset-controller");
  const { namespace, name } = splitKey(item.key);
  const base = `/apis/apps/v1/namespaces/${namespace}/replicasets`;
  const rs = await api.get(`${base}/${name}`);
  if (!rs || rs.metadata.deletionTimestamp) return;
  const spec = rs.spec as { replicas?: number; selector?: any; template?: { metadata?: any; spec?: any } };
  const selector = labelSelectorFromObject(spec.selector);
  const { items } = await api.list(`/api/v1/namespaces/${namespace}/pods`);
  const pods = items.filter((p) => ownedBy(p, rs.metadata.uid) && selector.matches(p.metadata.labels));
  const active = pods.filter(isPodActive);
  const want = spec.replicas ?? 1;
  if (active.length < want) {
    const missing = Array.from({ length: want - active.length }, (_, i) => i);
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${name}-`,
        namespace,
        labels: spec.template?.metadata?.labels ?? {},
        annotations: spec.template?.metadata?.annotations,
        ownerReferences: [controllerRef(rs, "ReplicaSet")],
      },
      spec: spec.template?.spec,
    };
    // In parallel: the store commits concurrent creates of a cluster in shared transactions.
    await forEachLimit(missing, 25, async () => {
      await api.create(`/api/v1/namespaces/${namespace}/pods`, pod);
    });
  } else if (active.length > want) {
    // Delete the least useful pods first: unscheduled, then not ready, then the youngest.
    const rank = (p: KubeObject) =>
      ((p.spec as { nodeName?: string }).nodeName ? 2 : 0) + (isPodReady(p) ? 1 : 0);
    const victims = [...active]
      .sort(
        (a, b) =>
          rank(a) - rank(b) ||
          String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
      )
      .slice(0, active.length - want);
    await forEachLimit(victims, 25, async (v) => {
      await api.delete(`/api/v1/namespaces/${namespace}/pods/${v.metadata.name}`);
    });
  }
  const ready = active.filter(isPodReady).length;
  const status = {
    replicas: active.length,
    fullyLabeledReplicas: active.length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation,
  };
  const current = rs.status as Record<string, unknown> | undefined;
  if (JSON.stringify({ ...current, ...status }) !== JSON.stringify(current ?? {})) {
    try {
      await api.update(`${base}/${name}/status`, { ...rs, status: { ...current, ...status } });
    } catch (e) {
      if (!isStaleWrite(e)) throw e; // a newer version, or the deletion, is reconciled again
    }
  }
}
