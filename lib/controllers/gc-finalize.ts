import { clientFor } from "../client/runtime.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { dependentsOf } from "./gc.ts";

// Foreground and Orphan deletion (`kubectl delete --cascade=foreground|orphan`): the owner waits, marked
// for deletion, with a `foregroundDeletion` or `orphan` finalizer. Foreground deletes the dependents and lets
// the owner go when none is left; Orphan strips the dependents' references to the owner, then lets it go.
// Key: "<group>/<plural>/<namespace>/<name>".

const VERSIONS: Record<string, string> = { apps: "apps/v1", batch: "batch/v1" };

export function ownerPath(group: string, plural: string, ns: string, name: string): string {
  const prefix = group ? `/apis/${VERSIONS[group] ?? `${group}/v1`}` : "/api/v1";
  return `${prefix}${ns ? `/namespaces/${ns}` : ""}/${plural}/${name}`;
}

export async function reconcileGcFinalize(item: WorkItem): Promise<void> {
  const [group, plural, ns, name] = item.key.split("/");
  const api = clientFor(item.cluster, "generic-garbage-collector");
  const path = ownerPath(group!, plural!, ns!, name!);
  const owner = await api.get(path);
  const finalizers = owner?.metadata.finalizers ?? [];
  if (!owner?.metadata.deletionTimestamp) return;
  const uid = owner.metadata.uid!;
  const dependents = await dependentsOf(api, ns!, uid);
  let done: string | undefined;
  if (finalizers.includes("orphan")) {
    for (const { base, obj } of dependents) {
      const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      // A conflict propagates: the item runner re-runs the reconcile on fresh state.
      await api.update(`${base}/${obj.metadata.name}`, {
        ...obj,
        metadata: { ...obj.metadata, ownerReferences: refs.length ? refs : undefined },
      });
    }
    done = "orphan";
  } else if (finalizers.includes("foregroundDeletion")) {
    if (dependents.length > 0) {
      for (const { base, obj } of dependents)
        if (!obj.metadata.deletionTimestamp)
          await api.delete(`${base}/${obj.metadata.name}`, { propagationPolicy: "Foreground" });
      // Dependents may take a grace period to go; look again shortly.
      await requeueAfter([{ queue: "controllers", item, afterSeconds: 1 }]);
      return;
    }
    done = "foregroundDeletion";
  }
  if (!done) return;
  await api.update(path, {
    ...owner,
    metadata: { ...owner.metadata, finalizers: finalizers.filter((f) => f !== done) },
  });
}
