import {
  computeBudget,
  DISRUPTION_TIMEOUT_MS,
  disruptionCondition,
  type Getter,
  type PdbStatus,
} from "../api/disruption-budget.ts";
import type { KubeObject } from "../api/types.ts";
import { type ApiClient, isStaleWrite } from "../client/client.ts";
import { clientFor, now } from "../client/runtime.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";

// PodDisruptionBudget status: how many selected pods are healthy, how many must be, and how many may be
// disrupted now. Keyed by namespace: any pod or budget change of a namespace recomputes its budgets.
// The eviction subresource recomputes the same numbers itself; this status is what `kubectl get pdb` shows.

function pathOf(group: string, plural: string, ns: string, name: string): string {
  const gv = group === "" ? "/api/v1" : `/apis/${group}/v1`;
  return `${gv}/namespaces/${ns}/${plural}/${name}`;
}

function getterFor(api: ApiClient): Getter {
  const cache = new Map<string, Promise<KubeObject | undefined>>();
  return (group, plural, ns, name) => {
    const p = pathOf(group, plural, ns, name);
    let hit = cache.get(p);
    if (!hit) {
      hit = api.get(p);
      cache.set(p, hit);
    }
    return hit;
  };
}

/** JSON with sorted keys, so a status read back from the store compares equal to the one computed. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

export async function reconcileDisruption(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "disruption-controller");
  const ns = item.key;
  const base = `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`;
  const budgets = (await api.list(base)).items.filter((b) => !b.metadata.deletionTimestamp);
  if (budgets.length === 0) return;
  const pods = (await api.list(`/api/v1/namespaces/${ns}/pods`)).items;
  const get = getterFor(api);
  let nextExpiry = Number.POSITIVE_INFINITY;
  for (const pdb of budgets) {
    const fresh = await computeBudget(pdb, pods, get);
    const prev = (pdb.status ?? {}) as Partial<PdbStatus>;
    const status: PdbStatus = {
      ...fresh,
      observedGeneration: pdb.metadata.generation,
      conditions: disruptionCondition(
        fresh.disruptionsAllowed,
        pdb.metadata.generation,
        prev.conditions,
        now(),
      ),
    };
    for (const at of Object.values(status.disruptedPods ?? {}))
      nextExpiry = Math.min(nextExpiry, Date.parse(at) + DISRUPTION_TIMEOUT_MS);
    if (canonical(status) === canonical(prev)) continue;
    try {
      await api.update(`${base}/${pdb.metadata.name}/status`, { ...pdb, status });
    } catch (e) {
      // An eviction consumed the budget meanwhile (its write woke another reconcile of this namespace), or
      // the budget was deleted.
      if (!isStaleWrite(e)) throw e;
    }
  }
  // An evicted pod that never goes away stops counting as disrupted after the timeout.
  if (Number.isFinite(nextExpiry)) {
    await requeueAfter([
      {
        queue: "controllers",
        item: { cluster: item.cluster, controller: "disruption", key: ns },
        afterSeconds: Math.max(1, Math.ceil((nextExpiry - Date.now()) / 1000)),
      },
    ]).catch((e) =>
      log("warn", "could not requeue disruption budget", {
        cluster: item.cluster,
        key: ns,
        error: String(e),
      }),
    );
  }
}

export const disruptionController: ControllerModule = {
  name: "disruption",
  route(ch, emit) {
    if (
      (ch.group === "" && ch.plural === "pods") ||
      (ch.group === "policy" && ch.plural === "poddisruptionbudgets")
    )
      emit("controllers", "disruption", ch.namespace);
  },
  reconcilers: { controllers: { disruption: reconcileDisruption } },
};
