import type { KindInfo } from "../api/types.ts";
import type { ApiClient } from "../client/client.ts";
import { forEachLimit } from "../client/parallel.ts";
import { defaultStore } from "../runtime/store.ts";
import { KindRegistry } from "../store/kind-registry.ts";

// Removing a Terminating namespace's content: every namespaced kind the cluster serves (built-in and
// CRD-defined), deleted through the API so finalizers and garbage collection behave as for any delete.

let registry: KindRegistry | undefined;

export interface ContentReport {
  /** "configmaps" / "widgets.example.com" → objects still present after this pass. */
  remaining: Map<string, number>;
  /** finalizer → objects it still holds. */
  finalizers: Map<string, number>;
  /** Kinds whose listing or deletion failed, with the error. */
  failures: string[];
  /** The last pass found nothing left to delete (only objects held by finalizers). */
  settled: boolean;
}

function groupResource(k: KindInfo): string {
  return k.group ? `${k.plural}.${k.group}` : k.plural;
}

function basePath(k: KindInfo, ns: string): string {
  const gv = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return `${gv}/namespaces/${ns}/${k.plural}`;
}

/** One kind per group/plural (a kind served at several versions is stored once). */
async function namespacedKinds(cluster: string): Promise<KindInfo[]> {
  registry ??= new KindRegistry(defaultStore());
  // A CRD created a moment ago must not be missed: its objects would outlive the namespace.
  registry.invalidate(cluster);
  const seen = new Set<string>();
  const out: KindInfo[] = [];
  for (const k of await registry.all(cluster)) {
    if (!k.namespaced || !k.verbs.includes("list") || !k.verbs.includes("delete")) continue;
    const gr = groupResource(k);
    if (seen.has(gr)) continue;
    seen.add(gr);
    out.push(k);
  }
  return out;
}

/**
 * Deletes what is left in the namespace and reports what remains. Passes repeat while a pass deleted
 * something, so an object committed just before the namespace became Terminating is not missed.
 */
export async function removeContent(api: ApiClient, ns: string): Promise<ContentReport> {
  const kinds = await namespacedKinds(api.cluster);
  let report: ContentReport = { remaining: new Map(), finalizers: new Map(), failures: [], settled: false };
  for (let pass = 0; pass < 3; pass++) {
    report = { remaining: new Map(), finalizers: new Map(), failures: [], settled: false };
    let deleted = 0;
    await forEachLimit(kinds, 8, async (k) => {
      const base = basePath(k, ns);
      try {
        const { items } = await api.list(base);
        const live = items.filter((o) => !o.metadata.deletionTimestamp);
        if (live.length > 0) {
          deleted += live.length;
          await forEachLimit(live, 10, async (o) => {
            await api.delete(`${base}/${o.metadata.name}`, { propagationPolicy: "Background" });
          });
        }
        // Objects with finalizers stay (with deletionTimestamp) until their finalizers are removed.
        const held = items.filter((o) => (o.metadata.finalizers ?? []).length > 0);
        if (held.length > 0) report.remaining.set(groupResource(k), held.length);
        for (const o of held)
          for (const f of o.metadata.finalizers ?? [])
            report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + 1);
      } catch (e) {
        report.failures.push(`${groupResource(k)}: ${(e as Error).message}`);
      }
    });
    if (deleted === 0) {
      report.settled = true;
      break;
    }
  }
  return report;
}
