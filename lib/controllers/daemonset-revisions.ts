import { ownedBy } from "../api/pods.ts";
import type { KubeObject } from "../api/types.ts";
import type { ApiClient } from "../client/client.ts";
import { REVISION_HASH } from "./daemonset-util.ts";
import { templateHash } from "./deployment.ts";
import { controllerRef } from "./owner.ts";

// A DaemonSet's history: one ControllerRevision per pod template (named <ds>-<hash>, data = the strategic
// merge patch that restores the template, as `kubectl rollout undo ds` applies it). The current template's
// revision always carries the highest number, so rolling back renumbers the old revision.

type Any = Record<string, any>;

export interface CurrentRevision {
  hash: string;
  revision: number;
}

const revisionOf = (r: KubeObject) => Number((r as Any).revision ?? 0);

export async function syncRevisions(
  api: ApiClient,
  ds: KubeObject,
  liveHashes: Set<string>,
): Promise<CurrentRevision> {
  const ns = ds.metadata.namespace!;
  const base = `/apis/apps/v1/namespaces/${ns}/controllerrevisions`;
  const spec = ds.spec as Any;
  const hash = templateHash(spec.template ?? {});
  const owned = (await api.list(base)).items.filter((r) => ownedBy(r, ds.metadata.uid));
  const max = Math.max(0, ...owned.map(revisionOf));
  let current = owned.find((r) => r.metadata.labels?.[REVISION_HASH] === hash);
  if (!current) {
    current = await api.create(base, {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name: `${ds.metadata.name}-${hash}`,
        namespace: ns,
        labels: { ...(spec.template?.metadata?.labels ?? {}), [REVISION_HASH]: hash },
        annotations: changeCause(ds),
        ownerReferences: [controllerRef(ds, "DaemonSet")],
      },
      data: { spec: { template: { ...spec.template, $patch: "replace" } } },
      revision: max + 1,
    });
  } else if (revisionOf(current) < max) {
    current = await api.update(`${base}/${current.metadata.name}`, { ...current, revision: max + 1 });
  }
  // Keep revisionHistoryLimit old revisions, and any whose pods still run.
  const limit = Number(spec.revisionHistoryLimit ?? 10);
  const old = owned
    .filter((r) => r.metadata.name !== current!.metadata.name)
    .filter((r) => !liveHashes.has(r.metadata.labels?.[REVISION_HASH] ?? ""))
    .sort((a, b) => revisionOf(a) - revisionOf(b));
  for (const r of old.slice(0, Math.max(0, old.length - limit)))
    await api.delete(`${base}/${r.metadata.name}`);
  return { hash, revision: revisionOf(current) };
}

function changeCause(ds: KubeObject): Record<string, string> | undefined {
  const cause = ds.metadata.annotations?.["kubernetes.io/change-cause"];
  return cause ? { "kubernetes.io/change-cause": cause } : undefined;
}
