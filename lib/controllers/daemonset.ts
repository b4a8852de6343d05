import { isPodReady, ownedBy } from "../api/pods.ts";
import { labelSelectorFromObject } from "../api/selectors.ts";
import type { KubeObject } from "../api/types.ts";
import { type ApiClient, isStaleWrite } from "../client/client.ts";
import { forEachLimit } from "../client/parallel.ts";
import { clientFor, splitKey } from "../client/runtime.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { syncRevisions } from "./daemonset-revisions.ts";
import {
  allowsSurge,
  daemonPodFor,
  maxSurgeOf,
  maxUnavailableOf,
  nodeShouldRunDaemonPod,
  REVISION_HASH,
  targetNodeName,
} from "./daemonset-util.ts";

// DaemonSet: one pod per eligible node, pinned by node affinity and placed by the default scheduler; it
// follows nodes as they come, go and change; RollingUpdate (maxUnavailable) or OnDelete; ControllerRevisions
// for history and undo; the status `kubectl rollout status ds` reads. A node change wakes `daemonset-nodes`
// (one item per cluster), which enqueues every DaemonSet on its own key so a DaemonSet's reconciles stay
// serialised in its message group.

type Any = Record<string, any>;

const ALL_NODES_KEY = "*";

/** Ready and, with minReadySeconds, ready for long enough. Returns the ms until it will be, when not yet. */
function availability(pod: KubeObject, minReadySeconds: number, nowMs: number): number {
  if (!isPodReady(pod)) return Number.POSITIVE_INFINITY;
  if (minReadySeconds <= 0) return 0;
  const conds = ((pod.status as Any)?.conditions ?? []) as Any[];
  const since = Date.parse(conds.find((c) => c.type === "Ready")?.lastTransitionTime ?? "");
  if (Number.isNaN(since)) return 0;
  return Math.max(0, since + minReadySeconds * 1000 - nowMs);
}

export async function reconcileDaemonSet(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "daemon-set-controller");
  const { namespace, name } = splitKey(item.key);
  const path = `/apis/apps/v1/namespaces/${namespace}/daemonsets/${name}`;
  const ds = await api.get(path);
  if (!ds || ds.metadata.deletionTimestamp) return;
  const spec = ds.spec as Any;
  const podSpec = spec.template?.spec as Any;
  const selector = labelSelectorFromObject(spec.selector);
  const podsPath = `/api/v1/namespaces/${namespace}/pods`;
  const pods = (await api.list(podsPath)).items.filter(
    (p) =>
      ownedBy(p, ds.metadata.uid) && selector.matches(p.metadata.labels) && !p.metadata.deletionTimestamp,
  );
  const liveHashes = new Set(pods.map((p) => p.metadata.labels?.[REVISION_HASH] ?? ""));
  const { hash } = await syncRevisions(api, ds, liveHashes);
  const nodes = (await api.list("/api/v1/nodes")).items;
  const nowMs = Date.now();
  const minReady = Number(spec.minReadySeconds ?? 0);

  const byNode = new Map<string, KubeObject[]>();
  const toDelete: KubeObject[] = [];
  for (const p of pods) {
    const n = targetNodeName(p);
    if (!n) toDelete.push(p);
    else byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const nodeNames = new Set(nodes.map((n) => n.metadata.name!));
  // Pods of a node that is gone are deleted at once (grace 0): no kubelet is left to stop them.
  const orphans = new Set<KubeObject>();
  for (const [n, ps] of byNode) if (!nodeNames.has(n)) for (const p of ps) orphans.add(p);

  const toCreate: string[] = [];
  const status = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    numberAvailable: 0,
    updatedNumberScheduled: 0,
  };
  // Nodes running an old-template pod, and how many should-run nodes lack an available pod.
  const oldPods: KubeObject[] = [];
  const surge = allowsSurge(ds);
  /** With maxSurge: each should-run node's oldest old-template and oldest new-template pod. */
  const surgeNodes: { nodeName: string; oldPod?: KubeObject; newPod?: KubeObject }[] = [];
  let unavailable = 0;
  let nextAvailableIn = Number.POSITIVE_INFINITY;

  for (const node of nodes) {
    const nodeName = node.metadata.name!;
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, podSpec);
    const all = byNode.get(nodeName) ?? [];
    const failed = all.filter((p) => (p.status as Any)?.phase === "Failed");
    toDelete.push(...failed); // recreated on the next pass
    const running = all
      .filter((p) => !failed.includes(p))
      .sort((a, b) =>
        String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)),
      );
    if (shouldRun) status.desiredNumberScheduled++;
    if (!shouldContinueRunning) {
      toDelete.push(...running);
      if (running.length > 0) status.numberMisscheduled++;
      continue;
    }
    if (!shouldRun && running.length > 0) status.numberMisscheduled++;
    if (shouldRun && running.length === 0 && failed.length === 0) toCreate.push(nodeName);
    if (surge) {
      // Surging keeps one pod of each template on a node while the new one becomes available.
      const oldPod = running.find((p) => p.metadata.labels?.[REVISION_HASH] !== hash);
      const newPod = running.find((p) => p.metadata.labels?.[REVISION_HASH] === hash);
      toDelete.push(...running.filter((p) => p !== oldPod && p !== newPod));
      if (shouldRun) surgeNodes.push({ nodeName, oldPod, newPod });
    } else if (running.length > 1) toDelete.push(...running.slice(1)); // keep the oldest
    const pod = running[0];
    if (!shouldRun) continue;
    if (!pod) {
      unavailable++;
      continue;
    }
    status.currentNumberScheduled++;
    const updated = pod.metadata.labels?.[REVISION_HASH] === hash;
    if (updated) status.updatedNumberScheduled++;
    else oldPods.push(pod);
    if (isPodReady(pod)) status.numberReady++;
    const wait = availability(pod, minReady, nowMs);
    if (wait === 0) status.numberAvailable++;
    else {
      unavailable++;
      if (Number.isFinite(wait)) nextAvailableIn = Math.min(nextAvailableIn, wait);
    }
  }

  if (surge) {
    // kube's surging update: a node whose old pod is unavailable gets its new pod at once; others get one
    // within maxSurge; an old pod goes once the new pod beside it is available.
    let surging = 0;
    const allowed: string[] = [];
    const candidates: string[] = [];
    for (const { nodeName, oldPod, newPod } of surgeNodes) {
      if (!oldPod) continue;
      if (!newPod) {
        if (availability(oldPod, minReady, nowMs) !== 0) allowed.push(nodeName);
        else candidates.push(nodeName);
        continue;
      }
      const wait = availability(newPod, minReady, nowMs);
      if (wait === 0) toDelete.push(oldPod);
      else {
        surging++;
        if (Number.isFinite(wait)) nextAvailableIn = Math.min(nextAvailableIn, wait);
      }
    }
    const room = Math.min(
      candidates.length,
      Math.max(0, maxSurgeOf(ds, status.desiredNumberScheduled) - surging),
    );
    toCreate.push(...allowed, ...candidates.slice(0, room));
  } else if ((spec.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate") {
    // Old pods that are unavailable anyway go first; then available ones within the maxUnavailable budget.
    let budget = maxUnavailableOf(ds, status.desiredNumberScheduled) - unavailable;
    for (const p of oldPods) {
      const available = availability(p, minReady, nowMs) === 0;
      if (!available) toDelete.push(p);
      else if (budget > 0) {
        toDelete.push(p);
        budget--;
      }
    }
  }

  await forEachLimit(toCreate, 10, async (nodeName) => {
    await api.create(podsPath, daemonPodFor(ds, nodeName, hash));
  });
  await forEachLimit([...new Set([...toDelete, ...orphans])], 10, async (p) => {
    const grace = orphans.has(p) ? { gracePeriodSeconds: 0 } : {};
    await api.delete(`${podsPath}/${p.metadata.name}`, { ...grace, preconditions: { uid: p.metadata.uid } });
  });
  await writeStatus(api, ds, path, status);
  if (Number.isFinite(nextAvailableIn))
    await requeueAfter([{ queue: "controllers", item, afterSeconds: nextAvailableIn / 1000 + 0.5 }]);
}

async function writeStatus(
  api: ApiClient,
  ds: KubeObject,
  path: string,
  counts: Record<string, number>,
): Promise<void> {
  const current = (ds.status ?? {}) as Any;
  const unavailable = counts.desiredNumberScheduled - counts.numberAvailable;
  const { numberUnavailable: _old, ...rest } = current;
  const next: Any = { ...rest, ...counts, observedGeneration: ds.metadata.generation };
  if (unavailable > 0) next.numberUnavailable = unavailable;
  if (JSON.stringify(next) === JSON.stringify(current)) return;
  try {
    await api.update(`${path}/status`, { ...ds, status: next });
  } catch (e) {
    if (!isStaleWrite(e)) throw e; // a newer version, or the deletion, is reconciled again
  }
}

/** A node changed: every DaemonSet of the cluster is reconciled, each on its own key. */
export async function reconcileDaemonSetsForNodes(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "daemon-set-controller");
  const { items } = await api.list("/apis/apps/v1/daemonsets");
  if (items.length === 0) return;
  await requeueAfter(
    items.map((ds) => ({
      queue: "controllers" as const,
      item: {
        cluster: item.cluster,
        controller: "daemonset",
        key: `${ds.metadata.namespace}/${ds.metadata.name}`,
      },
      afterSeconds: 0,
    })),
  );
}

export const daemonSetController: ControllerModule = {
  name: "daemonset",
  objectKinds: ["apps/daemonsets", "/pods"],
  route(ch, w) {
    const kind = `${ch.group}/${ch.plural}`;
    if (kind === "apps/daemonsets" && ch.type !== "DELETED")
      w("controllers", "daemonset", `${ch.namespace}/${ch.name}`);
    else if (kind === "/pods") {
      for (const o of ch.object?.metadata.ownerReferences ?? [])
        if (o.kind === "DaemonSet" && o.controller)
          w("controllers", "daemonset", `${ch.namespace}/${o.name}`);
    } else if (kind === "/nodes") w("controllers", "daemonset-nodes", ALL_NODES_KEY);
  },
  reconcilers: {
    controllers: { daemonset: reconcileDaemonSet, "daemonset-nodes": reconcileDaemonSetsForNodes },
  },
};
