import type { KubeObject } from "../api/types.ts";
import type { ApiClient } from "../client/client.ts";
import { clientFor } from "../client/runtime.ts";
import type { WorkItem } from "../runtime/work.ts";

// Background garbage collection: when an owner is gone, its dependents in the namespace are deleted.
// Key: "<namespace>/<owner uid>".

export const DEPENDENTS = [
  "/apis/apps/v1/namespaces/{ns}/replicasets",
  "/apis/apps/v1/namespaces/{ns}/controllerrevisions",
  "/apis/batch/v1/namespaces/{ns}/jobs",
  "/api/v1/namespaces/{ns}/pods",
  "/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices",
];

/** Objects in `ns` with an owner reference to `uid`, with the collection path each lives under. */
export async function dependentsOf(
  api: ApiClient,
  ns: string,
  uid: string,
): Promise<{ base: string; obj: KubeObject }[]> {
  const out: { base: string; obj: KubeObject }[] = [];
  for (const tpl of DEPENDENTS) {
    const base = tpl.replace("{ns}", ns);
    for (const obj of (await api.list(base)).items)
      if ((obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) out.push({ base, obj });
  }
  return out;
}

export async function reconcileGarbage(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "generic-garbage-collector");
  const slash = item.key.indexOf("/");
  const ns = item.key.slice(0, slash);
  const uid = item.key.slice(slash + 1);
  for (const { base, obj } of await dependentsOf(api, ns, uid)) {
    // Only an orphan once every owner is gone; an object with another live owner stays.
    const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
    if (others.length > 0) continue;
    await api.delete(`${base}/${obj.metadata.name}`, { propagationPolicy: "Background" });
  }
}
