import { isPodReady, ownedBy } from "../api/pods.ts";
import type { KubeObject } from "../api/types.ts";
import { type ApiClient, isConflict, isStaleWrite } from "../client/client.ts";
import { forEachLimit } from "../client/parallel.ts";
import { clientFor, splitKey } from "../client/runtime.ts";
import { type ControllerModule, ownersOfKind } from "../runtime/module.ts";
import type { WorkItem } from "../runtime/work.ts";
import { wakeAt } from "./job-wake.ts";
import { controllerRef } from "./owner.ts";
import {
  type Action,
  claimName,
  computeStatus,
  ordinalOf,
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  type PodState,
  plan,
  REVISION_LABEL,
  templateOfRevision,
} from "./statefulset-plan.ts";
import { syncRevisions } from "./statefulset-revisions.ts";

// StatefulSet: pods with stable names `<set>-<ordinal>`, stable per-pod claims from volumeClaimTemplates,
// ControllerRevisions for history, OrderedReady/Parallel management and RollingUpdate (reverse ordinal order,
// honouring the partition) or OnDelete updates. The decisions are in statefulset-plan.ts.

type Any = Record<string, any>;
const MANAGER = "statefulset-controller";

export const statefulSetController: ControllerModule = {
  name: "statefulset",
  objectKinds: ["apps/statefulsets", "/pods"],
  route(ch, w) {
    const kind = `${ch.group}/${ch.plural}`;
    if (kind === "apps/statefulsets") {
      if (ch.type !== "DELETED") w("controllers", "statefulset", `${ch.namespace}/${ch.name}`);
      else if (ch.object?.metadata.uid)
        w("controllers", "statefulset-claims", `${ch.namespace}/${ch.object.metadata.uid}`);
    } else if (kind === "/pods") {
      for (const o of ownersOfKind(ch, "StatefulSet"))
        w("controllers", "statefulset", `${ch.namespace}/${o}`);
    }
  },
  reconcilers: {
    controllers: { statefulset: reconcileStatefulSet, "statefulset-claims": reconcileDeletedSetClaims },
  },
};

/** When a Ready pod becomes available (epoch ms): minReadySeconds after its Ready condition turned True. */
function availableAt(pod: KubeObject, minReadySeconds: number): number {
  const ready = ((pod.status as Any | undefined)?.conditions ?? []).find((c: Any) => c.type === "Ready");
  const since = ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
  return since + minReadySeconds * 1000;
}

function podState(setName: string, pod: KubeObject, minReadySeconds: number, nowMs: number): PodState {
  const phase = (pod.status as Any | undefined)?.phase;
  const ready = phase === "Running" && isPodReady(pod);
  return {
    name: pod.metadata.name!,
    ordinal: ordinalOf(setName, pod.metadata.name!) ?? -1,
    revision: pod.metadata.labels?.[REVISION_LABEL] ?? "",
    ready,
    available: ready && (minReadySeconds <= 0 || availableAt(pod, minReadySeconds) <= nowMs),
    terminating: !!pod.metadata.deletionTimestamp,
    finished: phase === "Succeeded" || phase === "Failed",
  };
}

export async function reconcileStatefulSet(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, MANAGER);
  const { namespace, name } = splitKey(item.key);
  const base = `/apis/apps/v1/namespaces/${namespace}/statefulsets`;
  const set = await api.get(`${base}/${name}`);
  if (!set || set.metadata.deletionTimestamp) return;
  const spec = set.spec as Any;
  const pods = (await api.list(`/api/v1/namespaces/${namespace}/pods`)).items.filter(
    (p) => ownedBy(p, set.metadata.uid) && ordinalOf(name, p.metadata.name!) !== undefined,
  );
  const minReadySeconds = spec.minReadySeconds ?? 0;
  const nowMs = Date.now();
  const states = pods.map((p) => podState(name, p, minReadySeconds, nowMs));
  const revisions = await syncRevisions(api, set, pods);
  const status = (set.status ?? {}) as Any;
  const updateRevision = revisions.update.metadata.name!;
  const currentRevision =
    status.currentRevision && revisions.byName.has(status.currentRevision)
      ? status.currentRevision
      : updateRevision;
  const strategy = spec.updateStrategy?.type ?? "RollingUpdate";
  const actions = plan({
    replicas: spec.replicas ?? 1,
    start: spec.ordinals?.start ?? 0,
    policy: spec.podManagementPolicy === "Parallel" ? "Parallel" : "OrderedReady",
    strategy,
    partition: spec.updateStrategy?.rollingUpdate?.partition ?? 0,
    currentRevision,
    updateRevision,
    pods: states,
  });
  await forEachLimit(actions, 25, (a) => act(api, set, a, revisions.byName));
  await writeStatus(api, `${base}/${name}/status`, set, {
    observedGeneration: set.metadata.generation,
    ...computeStatus(states, currentRevision, updateRevision, strategy),
    collisionCount: status.collisionCount ?? 0,
  });
  // A pod that is ready but not yet available changes nothing when it becomes so: ask to be woken then.
  const soonest = Math.min(
    ...pods
      .filter((_p, i) => states[i]!.ready && !states[i]!.available)
      .map((p) => availableAt(p, minReadySeconds)),
  );
  if (Number.isFinite(soonest)) await wakeAt(item, soonest);
}

async function act(
  api: ApiClient,
  set: KubeObject,
  a: Action,
  revisions: Map<string, KubeObject>,
): Promise<void> {
  const ns = set.metadata.namespace!;
  const spec = set.spec as Any;
  const setName = set.metadata.name!;
  if (a.type === "delete") {
    await api.delete(`/api/v1/namespaces/${ns}/pods/${a.name}`);
    await deleteScaledClaims(api, set, ordinalOf(setName, a.name)!);
    return;
  }
  const podName = `${setName}-${a.ordinal}`;
  // Claims first: the pod must find them (the scheduler keeps a pod with a missing claim Pending).
  const claimVolumes: Any[] = [];
  for (const tpl of (spec.volumeClaimTemplates ?? []) as Any[]) {
    const cname = claimName(tpl.metadata?.name, setName, a.ordinal);
    await ensureClaim(api, set, tpl, cname);
    claimVolumes.push({ name: tpl.metadata?.name, persistentVolumeClaim: { claimName: cname } });
  }
  const rev = revisions.get(a.revision);
  const template = rev ? templateOfRevision(rev) : spec.template;
  const podSpec = { ...(template?.spec ?? {}) } as Any;
  const claimed = new Set(claimVolumes.map((v) => v.name));
  podSpec.volumes = [
    ...((podSpec.volumes ?? []) as Any[]).filter((v) => !claimed.has(v.name)),
    ...claimVolumes,
  ];
  podSpec.hostname = podName;
  if (spec.serviceName) podSpec.subdomain = spec.serviceName;
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podName,
      namespace: ns,
      labels: {
        ...(template?.metadata?.labels ?? {}),
        [POD_NAME_LABEL]: podName,
        [POD_INDEX_LABEL]: String(a.ordinal),
        [REVISION_LABEL]: a.revision,
      },
      annotations: template?.metadata?.annotations,
      ownerReferences: [controllerRef(set, "StatefulSet")],
    },
    spec: podSpec,
  };
  try {
    await api.create(`/api/v1/namespaces/${ns}/pods`, pod);
  } catch (e) {
    if (!isConflict(e)) throw e; // the old pod of this ordinal is still terminating: its deletion wakes us
  }
}

async function ensureClaim(api: ApiClient, set: KubeObject, tpl: Any, cname: string): Promise<void> {
  const ns = set.metadata.namespace!;
  const path = `/api/v1/namespaces/${ns}/persistentvolumeclaims`;
  if (await api.get(`${path}/${cname}`)) return;
  const spec = set.spec as Any;
  const policy = spec.persistentVolumeClaimRetentionPolicy ?? {};
  // whenDeleted: Delete makes the set own its claims (kube-controller-manager does the same).
  const owned = policy.whenDeleted === "Delete";
  const { status: _s, ...rest } = tpl;
  try {
    await api.create(path, {
      ...rest,
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        ...(tpl.metadata ?? {}),
        name: cname,
        namespace: ns,
        labels: { ...(spec.selector?.matchLabels ?? {}), ...(tpl.metadata?.labels ?? {}) },
        ownerReferences: owned ? [controllerRef(set, "StatefulSet")] : undefined,
      },
    });
  } catch (e) {
    if (!isConflict(e)) throw e; // created meanwhile
  }
}

/** whenScaled: Delete removes the claims of a pod that scale-down condemned (not of one being replaced). */
async function deleteScaledClaims(api: ApiClient, set: KubeObject, ordinal: number): Promise<void> {
  const spec = set.spec as Any;
  if (spec.persistentVolumeClaimRetentionPolicy?.whenScaled !== "Delete") return;
  const start = spec.ordinals?.start ?? 0;
  if (ordinal >= start && ordinal < start + (spec.replicas ?? 1)) return;
  const path = `/api/v1/namespaces/${set.metadata.namespace}/persistentvolumeclaims`;
  for (const tpl of (spec.volumeClaimTemplates ?? []) as Any[])
    await api.delete(`${path}/${claimName(tpl.metadata?.name, set.metadata.name!, ordinal)}`);
}

async function writeStatus(api: ApiClient, path: string, set: KubeObject, status: Any): Promise<void> {
  const current = (set.status ?? {}) as Any;
  const next = { ...current, ...status };
  if (JSON.stringify(next) === JSON.stringify(current)) return;
  try {
    await api.update(path, { ...set, status: next });
  } catch (e) {
    if (!isStaleWrite(e)) throw e; // a newer version, or the deletion, is reconciled again
  }
}

/** A deleted set whose retention policy says Delete takes its claims along. Key: namespace/uid. */
export async function reconcileDeletedSetClaims(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, MANAGER);
  const { namespace, name: uid } = splitKey(item.key);
  const path = `/api/v1/namespaces/${namespace}/persistentvolumeclaims`;
  for (const c of (await api.list(path)).items) {
    if ((c.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.kind === "StatefulSet"))
      await api.delete(`${path}/${c.metadata.name}`);
  }
}
