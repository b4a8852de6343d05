import type { KubeObject } from "../api/types.ts";
import { isConflict, isNotFound } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { forEachLimit } from "../client/parallel.ts";
import { clientFor, now, splitKey } from "../client/runtime.ts";
import { log } from "../log.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { prepareVolumeBinding } from "./plugins/volume-binding.ts";
import { findPreemption, mayPreempt, priorityOf } from "./preemption.ts";
import { schedule } from "./schedule.ts";
import { podAffinityOf, Snapshot } from "./snapshot.ts";

// The binder around the pure algorithm. Work items for one cluster share one FIFO message group, so
// scheduling decisions in a cluster are serialised and two bindings can never over-commit a node, however
// many scheduler invocations run. Each pass considers every pending pod of the cluster.

/** Start of the last full pass per cluster in this process: a pass schedules every pod pending at its start. */
const lastPass = new Map<string, number>();

export async function reconcileScheduling(item: WorkItem): Promise<void> {
  // Items enqueued before the last pass started are covered by it (their pods were pending then).
  const prev = lastPass.get(item.cluster);
  if (item.at !== undefined && (prev ?? 0) > item.at) return;
  lastPass.set(item.cluster, Date.now());
  try {
    await schedulingPass(item);
  } catch (e) {
    // A failed pass covers nothing: its redelivery must run a pass of its own.
    if (prev === undefined) lastPass.delete(item.cluster);
    else lastPass.set(item.cluster, prev);
    throw e;
  }
}

async function schedulingPass(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "default-scheduler");
  const nodes = (await api.list("/api/v1/nodes")).items;
  const allPods = (await api.list("/api/v1/pods")).items;
  // Every pass schedules all pending pods of the cluster: under load one pass serves many queued items.
  // Like kube-scheduler's active queue: higher priority first, then older.
  const pending = allPods
    .filter(needsScheduling)
    .sort(
      (a, b) =>
        priorityOf(b) - priorityOf(a) ||
        (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? ""),
    );
  if (pending.length === 0) return;
  await prepareVolumeBinding(api, pending); // the claims and volumes pending pods mount
  const namespaceLabels = allPods.some(usesNamespaceSelector)
    ? new Map(
        (await api.list("/api/v1/namespaces")).items.map((n) => [n.metadata.name!, n.metadata.labels ?? {}]),
      )
    : undefined;
  const snap = new Snapshot(nodes, allPods, namespaceLabels);
  // Decide sequentially (each decision sees the previous ones: resources and pod placements), then act in
  // parallel so the bindings share transactions.
  const decisions = pending.map((pod) => decide(pod, snap));
  let requeue = false;
  // Scheduled events are written alongside the next bindings rather than before them: a binding is what
  // a pod waits for.
  const events: Promise<void>[] = [];
  await forEachLimit(decisions, 25, async (d) => {
    const { pod } = d;
    const { namespace, name } = splitKey(`${pod.metadata.namespace}/${pod.metadata.name}`);
    if (d.kind === "wait") {
      requeue = true;
      return;
    }
    if (d.kind === "unschedulable") {
      await markUnschedulable(api, pod, d.message);
      return;
    }
    if (d.kind === "preempt") {
      await preempt(api, pod, d.node, d.victims);
      await markUnschedulable(api, pod, d.message, d.node);
      requeue = true;
      return;
    }
    try {
      await api.create(`/api/v1/namespaces/${namespace}/pods/${name}/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name, namespace, uid: pod.metadata.uid },
        target: { apiVersion: "v1", kind: "Node", name: d.node },
      });
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return; // deleted or bound meanwhile
      throw e;
    }
    events.push(
      event(api, pod, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${d.node}`),
    );
  });
  await Promise.all(events);
  // Victims leave when their kubelet has stopped them, which does not wake the scheduler: look again soon.
  if (requeue)
    await requeueAfter([
      {
        queue: "scheduler",
        item: { cluster: item.cluster, controller: "scheduler", key: "*" },
        group: `${item.cluster}|scheduler`,
        afterSeconds: 2,
      },
    ]);
}

type Decision =
  | { kind: "bind"; pod: KubeObject; node: string }
  | { kind: "unschedulable"; pod: KubeObject; message: string }
  | { kind: "preempt"; pod: KubeObject; node: string; victims: KubeObject[]; message: string }
  | { kind: "wait"; pod: KubeObject };

/** One pod's decision; the snapshot is updated at once so the next pod of the pass sees it. */
function decide(pod: KubeObject, snap: Snapshot): Decision {
  const result = schedule(pod, snap);
  if ("node" in result) {
    snap.add(snap.byName.get(result.node)!, pod);
    return { kind: "bind", pod, node: result.node };
  }
  // A preemptor whose victims are still terminating waits for them; its place stays reserved meanwhile.
  const nominated = (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName;
  const nom = nominated ? snap.byName.get(nominated) : undefined;
  if (nom?.pods.some((p) => p.metadata.deletionTimestamp && priorityOf(p) < priorityOf(pod))) {
    snap.add(nom, pod);
    return { kind: "wait", pod };
  }
  if (!mayPreempt(pod)) {
    const message = `${result.fitMessage} preemption: not eligible due to preemptionPolicy=Never.`;
    return { kind: "unschedulable", pod, message };
  }
  const p = findPreemption(pod, snap, result.failed);
  if (!p) return { kind: "unschedulable", pod, message: result.message };
  for (const v of p.victims) snap.remove(p.node, v);
  snap.add(p.node, pod);
  return {
    kind: "preempt",
    pod,
    node: p.node.node.metadata.name!,
    victims: p.victims,
    message: result.fitMessage,
  };
}

async function preempt(
  api: ReturnType<typeof clientFor>,
  pod: KubeObject,
  node: string,
  victims: KubeObject[],
): Promise<void> {
  log("info", "preempting", {
    pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
    node,
    victims: victims.map((v) => `${v.metadata.namespace}/${v.metadata.name}`),
  });
  for (const v of victims) {
    try {
      await api.delete(`/api/v1/namespaces/${v.metadata.namespace}/pods/${v.metadata.name}`, {
        preconditions: { uid: v.metadata.uid },
      });
    } catch (e) {
      if (!isConflict(e)) throw e; // replaced by a newer pod of the same name: not our victim any more
      continue;
    }
    await event(api, v, "Normal", "Preempted", `Preempted by pod ${pod.metadata.uid} on node ${node}`);
  }
}

function usesNamespaceSelector(p: KubeObject): boolean {
  const a = podAffinityOf(p);
  const terms = [
    ...(a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
    ...(a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
      (t) => t.podAffinityTerm,
    ),
  ];
  return terms.some((t) => t?.namespaceSelector);
}

function needsScheduling(p: KubeObject): boolean {
  const spec = p.spec as { nodeName?: string; schedulerName?: string };
  return (
    !spec.nodeName &&
    !p.metadata.deletionTimestamp &&
    (spec.schedulerName ?? "default-scheduler") === "default-scheduler"
  );
}

async function markUnschedulable(
  api: ReturnType<typeof clientFor>,
  pod: KubeObject,
  message: string,
  nominatedNodeName?: string,
): Promise<void> {
  const conds = ((pod.status as { conditions?: any[] } | undefined)?.conditions ?? []).filter(
    (c) => c.type !== "PodScheduled",
  );
  const cond = {
    type: "PodScheduled",
    status: "False",
    reason: "Unschedulable",
    message,
    lastProbeTime: null,
    lastTransitionTime: now(),
  };
  const prev = ((pod.status as { conditions?: any[] } | undefined)?.conditions ?? []).find(
    (c) => c.type === "PodScheduled",
  );
  const status = pod.status as { nominatedNodeName?: string } | undefined;
  if (prev?.message === message && status?.nominatedNodeName === nominatedNodeName) return;
  try {
    await api.update(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, {
      ...pod,
      status: {
        ...(pod.status as object),
        phase: "Pending",
        conditions: [...conds, cond],
        nominatedNodeName,
      },
    });
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
  await event(api, pod, "Warning", "FailedScheduling", message);
}

export function event(
  api: ReturnType<typeof clientFor>,
  obj: KubeObject,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
): Promise<void> {
  return recordEvent(api, obj, type, reason, message, "default-scheduler");
}
