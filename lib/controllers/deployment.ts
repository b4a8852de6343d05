import { createHash } from "node:crypto";
import { ownedBy } from "../api/pods.ts";
import type { KubeObject } from "../api/types.ts";
import { isConflict, isStaleWrite } from "../client/client.ts";
import { clientFor, now, splitKey } from "../client/runtime.ts";
import type { WorkItem } from "../runtime/work.ts";
import { controllerRef } from "./owner.ts";

// Deployment: one ReplicaSet per pod template (named by the template hash), rolled with RollingUpdate
// (maxSurge/maxUnavailable) or Recreate, revision annotations for `kubectl rollout history/undo`, and the
// status and conditions `kubectl rollout status` reads.

const REVISION = "deployment.kubernetes.io/revision";
const HASH = "pod-template-hash";

type Any = Record<string, any>;

/** JSON with sorted keys, so equal templates hash equally whatever order their fields arrived in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .filter((k) => (v as Any)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Any)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export function templateHash(template: unknown): string {
  const h = createHash("sha256").update(canonical(template)).digest();
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let s = "";
  for (let i = 0; i < 10; i++) s += alphabet[h[i] % alphabet.length];
  return s;
}

/** Resolves an int-or-percent against the replica count (surge rounds up, unavailable down). */
export function resolve(v: number | string | undefined, replicas: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  const pct = Number(v.replace("%", "")) / 100;
  return roundUp ? Math.ceil(pct * replicas) : Math.floor(pct * replicas);
}

export async function reconcileDeployment(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "deployment-controller");
  const { namespace, name } = splitKey(item.key);
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
  const d = await api.get(path);
  if (!d || d.metadata.deletionTimestamp) return;
  const spec = d.spec as Any;
  const replicas: number = spec.replicas ?? 1;
  const rsBase = `/apis/apps/v1/namespaces/${namespace}/replicasets`;
  const owned = (await api.list(rsBase)).items.filter((rs) => ownedBy(rs, d.metadata.uid));
  const { [HASH]: _ignored, ...templateLabels } = (spec.template?.metadata?.labels ?? {}) as Record<
    string,
    string
  >;
  const template = { ...spec.template, metadata: { ...spec.template?.metadata, labels: templateLabels } };
  const hash = templateHash(template.spec ? template : {});
  const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);
  const maxRevision = Math.max(0, ...owned.map(revisionOf));
  let newRs = owned.find((rs) => rs.metadata.labels?.[HASH] === hash);
  const olds = owned.filter((rs) => rs !== newRs);
  const rsReplicas = (rs: KubeObject) => ((rs.spec as Any).replicas as number) ?? 0;
  const available = (rs: KubeObject) => ((rs.status as Any)?.availableReplicas as number) ?? 0;
  const strategy = spec.strategy?.type ?? "RollingUpdate";
  const surge = resolve(spec.strategy?.rollingUpdate?.maxSurge, replicas, true);
  const maxUnavailable = resolve(spec.strategy?.rollingUpdate?.maxUnavailable, replicas, false);

  if (!spec.paused) {
    if (!newRs) {
      const oldTotal = olds.reduce((n, rs) => n + rsReplicas(rs), 0);
      const initial =
        strategy === "Recreate"
          ? oldTotal === 0
            ? replicas
            : 0
          : olds.length === 0
            ? replicas
            : Math.max(0, Math.min(replicas, replicas + surge - oldTotal));
      newRs = await api.create(rsBase, {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${name}-${hash}`,
          namespace,
          labels: { ...templateLabels, [HASH]: hash },
          annotations: {
            [REVISION]: String(maxRevision + 1),
            "deployment.kubernetes.io/desired-replicas": String(replicas),
          },
          ownerReferences: [controllerRef(d, "Deployment")],
        },
        spec: {
          replicas: initial,
          minReadySeconds: spec.minReadySeconds,
          selector: {
            ...spec.selector,
            matchLabels: { ...(spec.selector?.matchLabels ?? {}), [HASH]: hash },
          },
          template: {
            ...template,
            metadata: { ...template.metadata, labels: { ...templateLabels, [HASH]: hash } },
          },
        },
      });
    } else if (revisionOf(newRs) < maxRevision) {
      // Rolling back to an older template makes its ReplicaSet the newest revision again.
      newRs = await scaleRs(api, rsBase, newRs, rsReplicas(newRs), String(maxRevision + 1));
    }
    const total =
      owned.reduce((n, rs) => n + rsReplicas(rs), 0) + (owned.includes(newRs) ? 0 : rsReplicas(newRs));
    const oldTotal = olds.reduce((n, rs) => n + rsReplicas(rs), 0);
    if (strategy === "Recreate") {
      for (const rs of olds) if (rsReplicas(rs) > 0) await scaleRs(api, rsBase, rs, 0);
      const oldPods = olds.reduce((n, rs) => n + (((rs.status as Any)?.replicas as number) ?? 0), 0);
      if (oldPods === 0 && rsReplicas(newRs) !== replicas) await scaleRs(api, rsBase, newRs, replicas);
    } else {
      let want = rsReplicas(newRs);
      if (oldTotal === 0) want = replicas;
      else if (want < replicas) want = Math.min(replicas, want + Math.max(0, replicas + surge - total));
      if (want !== rsReplicas(newRs)) await scaleRs(api, rsBase, newRs, want);
      // Old ReplicaSets shrink only as far as availability allows.
      const totalAvailable = owned.reduce((n, rs) => n + available(rs), 0);
      let canRemove = Math.max(0, totalAvailable - (replicas - maxUnavailable));
      const unavailableOld = olds.reduce((n, rs) => n + Math.max(0, rsReplicas(rs) - available(rs)), 0);
      canRemove += unavailableOld;
      for (const rs of olds) {
        if (canRemove <= 0) break;
        const down = Math.min(rsReplicas(rs), canRemove);
        if (down > 0) {
          await scaleRs(api, rsBase, rs, rsReplicas(rs) - down);
          canRemove -= down;
        }
      }
    }
    // Old, empty ReplicaSets beyond the history limit go.
    const history = olds.filter((rs) => rsReplicas(rs) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
    const limit = spec.revisionHistoryLimit ?? 10;
    for (const rs of history.slice(0, Math.max(0, history.length - limit)))
      await api.delete(`${rsBase}/${rs.metadata.name}`);
  }
  // The deployment carries its current revision, as kubectl rollout history/undo expect.
  const revision = newRs?.metadata.annotations?.[REVISION];
  let current = d;
  if (revision && d.metadata.annotations?.[REVISION] !== revision) {
    try {
      current = await api.mergePatch(path, {
        metadata: { resourceVersion: d.metadata.resourceVersion, annotations: { [REVISION]: revision } },
      });
    } catch (e) {
      if (isConflict(e)) return; // changed meanwhile: that change brings another reconcile
      throw e;
    }
  }
  await writeStatus(api, path, current, owned, newRs, replicas, maxUnavailable);
}

async function scaleRs(
  api: ReturnType<typeof clientFor>,
  base: string,
  rs: KubeObject,
  replicas: number,
  revision?: string,
): Promise<KubeObject> {
  const patch: Any = {
    spec: { replicas },
    metadata: { annotations: { "deployment.kubernetes.io/desired-replicas": String(replicas) } },
  };
  if (revision) patch.metadata.annotations[REVISION] = revision;
  return api.mergePatch(`${base}/${rs.metadata.name}`, patch);
}

async function writeStatus(
  api: ReturnType<typeof clientFor>,
  path: string,
  d: KubeObject,
  owned: KubeObject[],
  newRs: KubeObject | undefined,
  replicas: number,
  maxUnavailable: number,
): Promise<void> {
  const st = (rs: KubeObject | undefined, f: string) => ((rs?.status as Any)?.[f] as number) ?? 0;
  const all = newRs && !owned.includes(newRs) ? [...owned, newRs] : owned;
  const total = all.reduce((n, rs) => n + st(rs, "replicas"), 0);
  const ready = all.reduce((n, rs) => n + st(rs, "readyReplicas"), 0);
  const avail = all.reduce((n, rs) => n + st(rs, "availableReplicas"), 0);
  const updated = st(newRs, "replicas");
  const complete = updated === replicas && total === replicas && avail === replicas;
  const prev = ((d.status as Any)?.conditions ?? []) as Any[];
  const cond = (type: string, status: string, reason: string, message: string) => {
    const old = prev.find((c) => c.type === type);
    const same = old && old.status === status && old.reason === reason;
    return {
      type,
      status,
      reason,
      message,
      lastUpdateTime: same ? old.lastUpdateTime : now(),
      lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now(),
    };
  };
  const rsName = newRs?.metadata.name ?? "";
  const status: Any = {
    observedGeneration: d.metadata.generation,
    replicas: total,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: avail,
    unavailableReplicas: Math.max(0, total - avail),
    conditions: [
      avail >= replicas - maxUnavailable
        ? cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
        : cond(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
          ),
      complete
        ? cond(
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            `ReplicaSet "${rsName}" has successfully progressed.`,
          )
        : cond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`),
    ],
  };
  for (const k of [
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
  ])
    if (status[k] === 0) delete status[k];
  const stripTimes = (s: Any) =>
    JSON.stringify({
      ...s,
      conditions: (s?.conditions ?? []).map((c: Any) => ({ ...c, lastUpdateTime: 0, lastTransitionTime: 0 })),
    });
  if (stripTimes(status) === stripTimes(d.status as Any)) return;
  try {
    await api.update(`${path}/status`, { ...d, status });
  } catch (e) {
    // A newer write woke another reconcile, or the Deployment is gone.
    if (!isStaleWrite(e)) throw e;
  }
}
