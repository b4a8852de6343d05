import { kindsFromCRD } from "../api/crd/index.ts";
import { builtinKinds } from "../api/kinds/registry.ts";
import type { KindInfo, KubeObject } from "../api/types.ts";
import { log } from "../log.ts";
import type { Store } from "./store.ts";

// The kinds one cluster serves: the built-in ones plus those its CRDs define. CRD-derived kinds are cached
// briefly per cluster; a CRD write in this process invalidates the cache at once, other processes (Lambda
// instances) see it within the TTL.

const CACHE_MS = 2_000;

export const crdResource = { group: "apiextensions.k8s.io", plural: "customresourcedefinitions" };

interface Entry {
  at: number;
  kinds: KindInfo[];
}

export class KindRegistry {
  private cache = new Map<string, Entry>();
  private builtinIndex = new Map<string, KindInfo>();

  constructor(private readonly store: Store) {
    for (const k of builtinKinds) this.builtinIndex.set(indexKey(k.group, k.version, k.plural), k);
  }

  isBuiltin(kind: KindInfo): boolean {
    return this.builtinIndex.get(indexKey(kind.group, kind.version, kind.plural)) === kind;
  }

  invalidate(cluster: string): void {
    this.cache.delete(cluster);
  }

  async customKinds(cluster: string): Promise<KindInfo[]> {
    const hit = this.cache.get(cluster);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.kinds;
    const items = await this.store.listItems({ cluster, ...crdResource });
    const kinds: KindInfo[] = [];
    for (const crd of items) {
      if (crd.metadata.deletionTimestamp) continue;
      try {
        kinds.push(...kindsFromCRD(crd as KubeObject));
      } catch (e) {
        log("warn", "skipping unusable CRD", {
          cluster,
          kind: "CustomResourceDefinition",
          key: crd.metadata.name,
          error: String(e),
        });
      }
    }
    this.cache.set(cluster, { at: Date.now(), kinds });
    return kinds;
  }

  async all(cluster: string): Promise<KindInfo[]> {
    return [...builtinKinds, ...(await this.customKinds(cluster))];
  }

  async find(cluster: string, group: string, version: string, plural: string): Promise<KindInfo | undefined> {
    const b = this.builtinIndex.get(indexKey(group, version, plural));
    if (b) return b;
    return (await this.customKinds(cluster)).find(
      (k) => k.group === group && k.version === version && k.plural === plural,
    );
  }
}

function indexKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
