import { sourceOf } from "../api/quota.ts";
import type { KubeObject } from "../api/types.ts";
import type { Store } from "./store.ts";

/** Lists the objects of every kind the quotas' resources come from, keyed by `group/plural`. */
export async function objectsFor(
  store: Store,
  cluster: string,
  namespace: string,
  resources: string[],
): Promise<Map<string, KubeObject[]>> {
  const kinds = new Map<string, { group: string; plural: string }>();
  for (const r of resources) {
    const s = sourceOf(r);
    if (s) kinds.set(`${s.group}/${s.plural}`, s);
  }
  const out = new Map<string, KubeObject[]>();
  await Promise.all(
    [...kinds].map(async ([k, s]) => {
      const items = await store.listItems({ cluster, group: s.group, plural: s.plural }, { namespace });
      out.set(k, items);
    }),
  );
  return out;
}
