import type { KubeObject } from "../api/types.ts";
import { isConflict } from "../controllers/client.ts";
import { forEachLimit } from "../controllers/parallel.ts";
import { clientFor, now, splitKey } from "../controllers/runtime.ts";
import type { WorkItem } from "../runtime/work.ts";
import { addPod, nodeInfos, schedule } from "./schedule.ts";

// The binder around the pure algorithm. Work items for one cluster share one FIFO message group, so
// scheduling decisions in a cluster are serialised and two bindings can never over-commit a node, however
// many scheduler invocations run. Each pass considers every pending pod of the cluster.

/** Start of the last full pass per cluster in this process: a pass schedules every pod pending at its start. */
const lastPass = new Map<string, number>();

export async function reconcileScheduling(item: WorkItem): Promise<void> {
  // Items enqueued before the last pass started are covered by it (their pods were pending then).
  if (item.at !== undefined && (lastPass.get(item.cluster) ?? 0) > item.at) return;
  lastPass.set(item.cluster, Date.now());
  const api = clientFor(item.cluster, "default-scheduler");
  const nodes = (await api.list("/api/v1/nodes")).items;
  const allPods = (await api.list("/api/v1/pods")).items;
  // Every pass schedules all pending pods of the cluster: under load one pass serves many queued items.
  const pending = allPods.filter(needsScheduling);
  const infos = nodeInfos(nodes, allPods);
  // Decide sequentially (each decision sees the previous ones), then bind in parallel so the bindings share
  // transactions.
  const decisions: { pod: KubeObject; node?: string; message?: string }[] = [];
  for (const pod of pending) {
    const result = schedule(pod, infos);
    if ("node" in result) {
      addPod(infos.find((n) => n.node.metadata.name === result.node)!, pod);
      decisions.push({ pod, node: result.node });
    } else decisions.push({ pod, message: result.message });
  }
  await forEachLimit(decisions, 25, async ({ pod, node, message }) => {
    const { namespace, name } = splitKey(`${pod.metadata.namespace}/${pod.metadata.name}`);
    if (!node) {
      await markUnschedulable(api, pod, message!);
      return;
    }
    try {
      await api.create(`/api/v1/namespaces/${namespace}/pods/${name}/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name, namespace, uid: pod.metadata.uid },
        target: { apiVersion: "v1", kind: "Node", name: node },
      });
    } catch (e) {
      if (isConflict(e) || (e as { code?: number }).code === 404) return; // deleted or bound meanwhile
      throw e;
    }
    await event(api, pod, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${node}`);
  });
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
  if (prev?.message === message) return;
  try {
    await api.update(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, {
      ...pod,
      status: { ...(pod.status as object), phase: "Pending", conditions: [...conds, cond] },
    });
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
  await event(api, pod, "Warning", "FailedScheduling", message);
}

export async function event(
  api: ReturnType<typeof clientFor>,
  obj: KubeObject,
  type: string,
  reason: string,
  message: string,
): Promise<void> {
  const ts = now();
  await api
    .create(`/api/v1/namespaces/${obj.metadata.namespace}/events`, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { generateName: `${obj.metadata.name}.`, namespace: obj.metadata.namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
      },
      reason,
      message,
      type,
      source: { component: "default-scheduler" },
      reportingComponent: "default-scheduler",
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
    })
    .catch(() => undefined); // events are best effort, as in Kubernetes
}
