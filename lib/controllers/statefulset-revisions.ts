import { ownedBy } from "../api/pods.ts";
import type { KubeObject } from "../api/types.ts";
import type { ApiClient } from "../client/client.ts";
import { controllerRef } from "./owner.ts";
import { REVISION_LABEL, revisionData, revisionName } from "./statefulset-plan.ts";

// A StatefulSet's history: one ControllerRevision per pod template (named by the template hash, so going back
// to an older template reuses its revision and renumbers it as the newest, as kube-controller-manager does).
// `kubectl rollout history/undo sts/x` reads and applies these.

type Any = Record<string, any>;

export interface Revisions {
  update: KubeObject;
  byName: Map<string, KubeObject>;
}

const numberOf = (r: KubeObject) => Number((r as Any).revision ?? 0);

export async function syncRevisions(api: ApiClient, set: KubeObject, pods: KubeObject[]): Promise<Revisions> {
  const ns = set.metadata.namespace!;
  const base = `/apis/apps/v1/namespaces/${ns}/controllerrevisions`;
  const spec = set.spec as Any;
  const owned = (await api.list(base)).items.filter((r) => ownedBy(r, set.metadata.uid));
  const name = revisionName(set.metadata.name!, spec.template);
  const max = Math.max(0, ...owned.map(numberOf));
  let update = owned.find((r) => r.metadata.name === name);
  if (!update) {
    try {
      update = await api.create(base, {
        apiVersion: "apps/v1",
        kind: "ControllerRevision",
        metadata: {
          name,
          namespace: ns,
          labels: { ...(spec.template?.metadata?.labels ?? {}), [REVISION_LABEL]: name },
          ownerReferences: [controllerRef(set, "StatefulSet")],
        },
        data: revisionData(spec.template ?? {}),
        revision: max + 1,
      });
    } catch (e) {
      // Created by a concurrent reconcile of the same key (cannot happen under FIFO groups, but be safe).
      update = await api.get(`${base}/${name}`);
      if (!update) throw e;
    }
    owned.push(update);
  } else if (numberOf(update) < max) {
    update = await api.update(`${base}/${name}`, { ...update, revision: max + 1 });
    owned.splice(
      owned.findIndex((r) => r.metadata.name === name),
      1,
      update,
    );
  }
  await trimHistory(api, base, set, owned, pods, update.metadata.name!);
  return { update, byName: new Map(owned.map((r) => [r.metadata.name!, r])) };
}

/** Revisions beyond revisionHistoryLimit go, oldest first, unless a pod or the status still uses them. */
async function trimHistory(
  api: ApiClient,
  base: string,
  set: KubeObject,
  owned: KubeObject[],
  pods: KubeObject[],
  update: string,
): Promise<void> {
  const limit = ((set.spec as Any).revisionHistoryLimit as number | undefined) ?? 10;
  const live = new Set([
    update,
    (set.status as Any | undefined)?.currentRevision,
    ...pods.map((p) => p.metadata.labels?.[REVISION_LABEL]),
  ]);
  const history = owned.filter((r) => !live.has(r.metadata.name)).sort((a, b) => numberOf(a) - numberOf(b));
  for (const r of history.slice(0, Math.max(0, history.length - limit))) {
    await api.delete(`${base}/${r.metadata.name}`);
    owned.splice(owned.indexOf(r), 1);
  }
}
