import type { WorkItem } from "../runtime/work.ts";
import { clientFor } from "./runtime.ts";

// Background garbage collection: when an owner is gone, its dependents in the namespace are deleted.
// Key: "<namespace>/<owner uid>".

const DEPENDENTS = [
  "/apis/apps/v1/namespaces/{ns}/replicasets",
  "/apis/apps/v1/namespaces/{ns}/controllerrevisions",
  "/apis/batch/v1/namespaces/{ns}/jobs",
  "/api/v1/namespaces/{ns}/pods",
  "/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
];

export async function reconcileGarbage(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "generic-garbage-collector");
  const slash = item.key.indexOf("/");
  const ns = item.key.slice(0, slash);
  const uid = item.key.slice(slash + 1);
  for (const tpl of DEPENDENTS) {
    const base = tpl.replace("{ns}", ns);
    for (const obj of (await api.list(base)).items) {
      const refs = obj.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      // Only an orphan once every owner is gone; an object with another live owner stays.
      const others = refs.filter((r) => r.uid !== uid);
      if (others.length > 0) continue;
      await api.delete(`${base}/${obj.metadata.name}`, { propagationPolicy: "Background" });
    }
  }
}
