import { taintsOf } from "../api/nodes.ts";
import type { KubeObject } from "../api/types.ts";
import type { ApiClient } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { forEachLimit } from "../client/parallel.ts";
import { clientFor, splitKey } from "../client/runtime.ts";
import { log } from "../log.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { evictionDecision } from "./taint-util.ts";

// The NoExecute taint manager: pods on a node with a NoExecute taint they do not tolerate are deleted at
// once; pods that tolerate it for tolerationSeconds are deleted when that runs out (a timer on the pod's
// key); pods that tolerate it without a limit stay. A node's taints changing re-checks all its pods
// (`taint-eviction`, key node name); a pod landing on a node checks that pod (`taint-eviction-pod`).

export const EVICT_NODE = "taint-eviction";
export const EVICT_POD = "taint-eviction-pod";

const podsOn = (node: string) => `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`;

export async function reconcileNodeEviction(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "node-controller");
  const node = await api.get(`/api/v1/nodes/${item.key}`);
  if (!node) return; // a deleted node's pods are collected by the node lifecycle controller
  const taints = taintsOf(node);
  if (!taints.some((t) => t.effect === "NoExecute")) return;
  const { items } = await api.list(podsOn(item.key));
  await forEachLimit(items, 10, (pod) => decide(api, item.cluster, pod, node));
}

export async function reconcilePodEviction(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "node-controller");
  const { namespace, name } = splitKey(item.key);
  const pod = await api.get(`/api/v1/namespaces/${namespace}/pods/${name}`);
  const nodeName = (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!pod || !nodeName) return;
  const node = await api.get(`/api/v1/nodes/${nodeName}`);
  if (node) await decide(api, item.cluster, pod, node);
}

async function decide(api: ApiClient, cluster: string, pod: KubeObject, node: KubeObject): Promise<void> {
  if (pod.metadata.deletionTimestamp) return;
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === "Succeeded" || phase === "Failed") return;
  const decision = evictionDecision(pod, taintsOf(node), Date.now());
  const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
  if (decision.action === "wait") {
    // Level-triggered: when the timer fires the pod is judged again against the node's taints of that time.
    await requeueAfter([
      {
        queue: "controllers",
        item: { cluster, controller: EVICT_POD, key },
        afterSeconds: (decision.at - Date.now()) / 1000 + 0.5,
      },
    ]);
    return;
  }
  if (decision.action !== "evict") return;
  log("info", "taint manager evicting pod", { cluster, pod: key, node: node.metadata.name });
  const deleted = await api.delete(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, {
    preconditions: { uid: pod.metadata.uid },
  });
  if (deleted) await evictionEvent(api, pod);
}

function evictionEvent(api: ApiClient, pod: KubeObject): Promise<void> {
  const name = `${pod.metadata.namespace}/${pod.metadata.name}`;
  return recordEvent(
    api,
    { ...pod, apiVersion: "v1", kind: "Pod" },
    "Normal",
    "TaintManagerEviction",
    `Marking for deletion Pod ${name}`,
    "taint-eviction-controller",
  );
}
