import { formatAmount, usedBy } from "../api/quota.ts";
import type { KubeObject } from "../api/types.ts";
import { isStaleWrite } from "../client/client.ts";
import { clientFor } from "../client/runtime.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { defaultStore } from "../runtime/store.ts";
import type { WorkItem } from "../runtime/work.ts";
import { objectsFor } from "../store/quota-objects.ts";

// ResourceQuota status: status.hard mirrors spec.hard and status.used is recomputed from the namespace's
// objects (key = namespace), so `kubectl describe quota` shows usage. Admission does not trust status.used:
// it recomputes from the objects too, so a late status is only cosmetic.

type Any = any;

/** Changes of these kinds can move a quota's usage; `count/<x>.<group>` of other kinds refresh on quota edits. */
const COUNTED = new Set([
  "/pods",
  "/services",
  "/configmaps",
  "/secrets",
  "/persistentvolumeclaims",
  "/replicationcontrollers",
  "/resourcequotas",
]);

export async function reconcileQuota(item: WorkItem): Promise<void> {
  const namespace = item.key;
  const api = clientFor(item.cluster, "resourcequota-controller");
  const { items: quotas } = await api.list(`/api/v1/namespaces/${namespace}/resourcequotas`);
  if (quotas.length === 0) return;
  const resources = [...new Set(quotas.flatMap((q) => Object.keys((q.spec as Any)?.hard ?? {})))];
  const objects = await objectsFor(defaultStore(), item.cluster, namespace, resources);
  for (const q of quotas) {
    const hard = ((q.spec as Any)?.hard ?? {}) as Record<string, string>;
    const used = usedBy(hard, objects);
    const status = {
      hard: { ...hard },
      used: Object.fromEntries(Object.entries(used).map(([r, n]) => [r, formatAmount(r, n)])),
    };
    if (JSON.stringify(sorted(q.status)) === JSON.stringify(sorted(status))) continue;
    try {
      await api.update(`/api/v1/namespaces/${namespace}/resourcequotas/${q.metadata.name}/status`, {
        ...q,
        status,
      } satisfies KubeObject);
    } catch (e) {
      if (!isStaleWrite(e)) throw e;
      log("debug", "quota status conflict", { cluster: item.cluster, namespace, name: q.metadata.name });
    }
  }
}

function sorted(s: unknown): unknown {
  const st = (s ?? {}) as { hard?: Record<string, string>; used?: Record<string, string> };
  const ord = (r?: Record<string, string>) => Object.fromEntries(Object.entries(r ?? {}).sort());
  return { hard: ord(st.hard), used: ord(st.used) };
}

export const quotaController: ControllerModule = {
  name: "quota",
  route(ch, emit) {
    if (!ch.namespace) return;
    if (COUNTED.has(`${ch.group}/${ch.plural}`)) emit("controllers", "quota", ch.namespace);
  },
  reconcilers: { controllers: { quota: reconcileQuota } },
};
