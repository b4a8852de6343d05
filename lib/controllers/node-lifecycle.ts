import type { KubeObject } from "../api/types.ts";
import { isConflict, isNotFound, isStaleWrite } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { forEachLimit } from "../client/parallel.ts";
import { clientFor, now } from "../client/runtime.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { itemId, sendWorkItems } from "../runtime/queues.ts";
import { defaultStore } from "../runtime/store.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { EVICT_NODE, EVICT_POD, reconcileNodeEviction, reconcilePodEviction } from "./taint-eviction.ts";
import { reconcileTaints } from "./taint-util.ts";

// Node lifecycle: a node whose Lease has not been renewed for the grace period becomes Ready=Unknown and
// gets the unreachable taints; Ready=False gets the not-ready taints; conditions and cordoning map to their
// NoSchedule taints. A deleted node's pods and Lease are removed (pod GC). The module also registers the
// simulated node kubelet (Lease heartbeats) and the NoExecute taint manager.

type Any = Record<string, any>;

export function nodeMonitorGraceSeconds(): number {
  const v = Number(process.env.KUMULUS_NODE_MONITOR_GRACE_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 40;
}

const LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

/**
 * When this process last armed a staleness check per node (epoch ms it is due). A renewal arrives every
 * renew interval; arming one timer per renewal would keep several in flight per node, so a node gets a new
 * timer only once the previous one has fired (it then re-arms from the newest renewal). Losing this map
 * (a new process) costs at most an extra timer.
 */
const armed = new Map<string, number>();

export async function reconcileNodeLifecycle(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "node-controller");
  const name = item.key;
  let node = await api.get(`/api/v1/nodes/${encodeURIComponent(name)}`);
  if (!node) {
    await collectPods(item.cluster, name);
    return;
  }
  const lease = await api.get(`${LEASES}/${encodeURIComponent(name)}`);
  const probe = Date.parse(
    (lease?.spec as Any | undefined)?.renewTime ?? node.metadata.creationTimestamp ?? "",
  );
  const grace = nodeMonitorGraceSeconds() * 1000;
  const stale = !Number.isNaN(probe) && Date.now() - probe > grace;
  const conds = ((node.status as Any | undefined)?.conditions ?? []) as Any[];
  const ready = conds.find((c) => c.type === "Ready");

  try {
    if (stale && ready && ready.status !== "Unknown") {
      log("info", "node stopped posting status", { cluster: item.cluster, node: name });
      const ts = now();
      const next = conds.map((c) =>
        ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"].includes(c.type)
          ? {
              ...c,
              status: "Unknown",
              reason: "NodeStatusUnknown",
              message: "Kubelet stopped posting node status.",
              lastTransitionTime: ts,
            }
          : c,
      );
      node = await api.update(`/api/v1/nodes/${encodeURIComponent(name)}/status`, {
        ...node,
        status: { ...(node.status as Any), conditions: next },
      });
      await recordEvent(
        api,
        node,
        "Normal",
        "NodeNotReady",
        `Node ${name} status is now: NodeNotReady`,
        "node-controller",
      );
    }
    // Every pass while the node is silent, not only the transition: a pod that raced (conflict, redelivery)
    // is marked on the next pass (the tick re-checks nodes every minute).
    if (stale) await markPodsNotReady(api, name);
    const taints = reconcileTaints(node, now());
    if (taints) {
      await api.update(`/api/v1/nodes/${encodeURIComponent(name)}`, {
        ...node,
        spec: { ...(node.spec as Any), taints: taints.length ? taints : undefined },
      });
    }
  } catch (e) {
    // A newer node version wakes this controller again; so does the deletion of a node that went meanwhile.
    if (!isConflict(e) && !isNotFound(e)) throw e;
    return;
  }

  if (!stale && !Number.isNaN(probe)) await armCheck(item.cluster, name, probe + grace + 1000);
}

async function armCheck(cluster: string, name: string, due: number): Promise<void> {
  const id = `${cluster}|${name}`;
  const pending = armed.get(id);
  // Timers may be forwarded up to half a second early: a check firing now must be able to re-arm.
  if (pending !== undefined && pending > Date.now() + 1500) return;
  armed.set(id, due);
  if (armed.size > 100_000) armed.clear();
  await requeueAfter([
    {
      queue: "controllers",
      item: { cluster, controller: "node-lifecycle", key: name },
      afterSeconds: (due - Date.now()) / 1000,
    },
  ]);
}

/**
 * kube's MarkPodsNotReady: nobody vouches for the pods of an unreachable node any more, so they leave Service
 * endpoints at once instead of after the taint eviction. The kubelet sets Ready again when it comes back.
 */
async function markPodsNotReady(api: ReturnType<typeof clientFor>, node: string): Promise<void> {
  const { items } = await api.list(
    `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  const ts = now();
  await forEachLimit(items, 10, async (p: KubeObject) => {
    const status = (p.status ?? {}) as Any;
    const conds = (status.conditions ?? []) as Any[];
    if (!conds.some((c) => c.type === "Ready" && c.status === "True")) return;
    const next = conds.map((c) =>
      c.type === "Ready" ? { ...c, status: "False", lastTransitionTime: ts, reason: undefined } : c,
    );
    try {
      await api.update(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`, {
        ...p,
        status: { ...status, conditions: next },
      });
      await recordEvent(api, p, "Warning", "NodeNotReady", "Node is not ready", "node-controller");
    } catch (e) {
      // A newer pod version or a pod gone meanwhile: the next pass looks again.
      if (!isStaleWrite(e)) throw e;
    }
  });
}

/**
 * Pod GC of a deleted node: its pods go (kube's pod-garbage-collector), and its Lease, which the Node owns
 * (kube's garbage collector).
 */
async function collectPods(cluster: string, node: string): Promise<void> {
  const api = clientFor(cluster, "pod-garbage-collector");
  const { items } = await api.list(
    `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  await forEachLimit(items, 10, async (p: KubeObject) => {
    // Force deletion (grace 0): no kubelet is left to confirm the pod stopped.
    await api.delete(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, {
      gracePeriodSeconds: 0,
      preconditions: { uid: p.metadata.uid },
    });
  });
  await clientFor(cluster, "generic-garbage-collector").delete(`${LEASES}/${encodeURIComponent(node)}`);
}

export const nodeLifecycleController: ControllerModule = {
  name: "node-lifecycle",
  objectKinds: ["/nodes", "/pods"],
  // Lease renewals are not routed here: a renewal only proves the node alive, which the staleness timer reads
  // when it fires (as kube's controller reads leases every monitor period), and a recovering node's kubelet
  // posts Ready, a node change. Reconciling on each renewal cost two reads per node every 10 s.
  route(ch, w) {
    const kind = `${ch.group}/${ch.plural}`;
    if (kind === "/nodes") {
      w("controllers", "node-lifecycle", ch.name);
      if (ch.type !== "DELETED") w("controllers", EVICT_NODE, ch.name);
    } else if (kind === "/pods" && ch.type === "ADDED") {
      // Only a pod created already bound bypassed the scheduler's taint check; pods on a node whose taints
      // change are handled per node (EVICT_NODE, also run on each node status report), which keeps the
      // taint manager off the path of every pod update.
      const spec = ch.object?.spec as { nodeName?: string } | undefined;
      if (spec?.nodeName && !ch.object?.metadata.deletionTimestamp)
        w("controllers", EVICT_POD, `${ch.namespace}/${ch.name}`);
    }
  },
  reconcilers: {
    controllers: {
      "node-lifecycle": reconcileNodeLifecycle,
      [EVICT_NODE]: reconcileNodeEviction,
      [EVICT_POD]: reconcilePodEviction,
    },
  },
  periodic: [{ name: "node-heartbeat-resync", run: resyncNodes }],
};

/**
 * The safety net behind the timer chains: once a tick, every node's kubelet and lifecycle check run, so a
 * heartbeat chain or staleness timer lost to a DLQ or a crash restarts within a minute. Clusters without
 * nodes cost one query.
 */
async function resyncNodes(): Promise<void> {
  const store = defaultStore();
  for (const c of await store.listClusters()) {
    const items = await store.listItems({ cluster: c.name, group: "", plural: "nodes" });
    const work = (controller: string) =>
      items.map((n) => {
        const item = { cluster: c.name, controller, key: n.metadata.name! };
        return { item, group: itemId(item) };
      });
    await sendWorkItems("kubelet", work("node"));
    await sendWorkItems("controllers", work("node-lifecycle"));
  }
}
