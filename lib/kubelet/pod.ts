import type { KubeObject } from "../api/types.ts";
import { type ApiClient, isConflict } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { clientFor, nodeClientFor, splitKey } from "../client/runtime.ts";
import { defaultStore } from "../runtime/store.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { killingEvents, kubeletEvents } from "./events.ts";
import { KNOB, podStatusAt } from "./timeline.ts";

// The simulated kubelet: a pod bound to a node is started (IP from the node's pod CIDR, QoS class) and then
// follows its timeline (timeline.ts): init containers, probes, exits, restarts with back-off, completion.
// Each pass writes the status at "now" and asks to be woken when it next changes.

type Any = Record<string, any>;

export function qosClass(pod: KubeObject): "Guaranteed" | "Burstable" | "BestEffort" {
  const cs = ((pod.spec as Any).containers ?? []) as Any[];
  const has = (c: Any, k: "requests" | "limits") => Object.keys(c.resources?.[k] ?? {}).length > 0;
  if (cs.every((c) => !has(c, "requests") && !has(c, "limits"))) return "BestEffort";
  const guaranteed = cs.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? l;
    return l.cpu && l.memory && String(r.cpu) === String(l.cpu) && String(r.memory) === String(l.memory);
  });
  return guaranteed ? "Guaranteed" : "Burstable";
}

/**
 * Pod IPs in use per node, from one list of the cluster's pods (not one per node: a list reads the whole
 * partition either way), re-read every 30 s to free the IPs of deleted pods.
 */
const ipsByCluster = new Map<string, { at: number; byNode: Promise<Map<string, Set<string>>> }>();
/** IPs this process handed out, with when: kept across re-reads, as their pods' writes may not show yet. */
const handedOut = new Map<string, Map<string, number>>();

async function usedIps(api: ApiClient, nodeName: string): Promise<Set<string>> {
  let cached = ipsByCluster.get(api.cluster);
  if (!cached || Date.now() - cached.at > 30_000) {
    const at = Date.now();
    cached = {
      at,
      byNode: api.list("/api/v1/pods").then(({ items }) => {
        const byNode = new Map<string, Set<string>>();
        for (const p of items) {
          const n = (p.spec as Any).nodeName as string | undefined;
          const ip = (p.status as Any)?.podIP as string | undefined;
          if (!n || !ip) continue;
          const set = byNode.get(n) ?? new Set();
          set.add(ip);
          byNode.set(n, set);
        }
        for (const [key, ips] of handedOut) {
          const [cluster, n] = key.split("|");
          if (cluster !== api.cluster) continue;
          for (const [ip, when] of ips) {
            if (when < at - 60_000) ips.delete(ip);
            else byNode.set(n, (byNode.get(n) ?? new Set()).add(ip));
          }
        }
        return byNode;
      }),
    };
    ipsByCluster.set(api.cluster, cached);
    cached.byNode.catch(() => ipsByCluster.delete(api.cluster));
  }
  const byNode = await cached.byNode;
  const set = byNode.get(nodeName) ?? new Set<string>();
  byNode.set(nodeName, set);
  return set;
}

async function allocateIp(api: ApiClient, node: KubeObject, pod: KubeObject): Promise<string> {
  const nodeName = node.metadata.name!;
  const set = await usedIps(api, nodeName);
  const prefix = String((node.spec as Any)?.podCIDR ?? "10.244.0.0/24")
    .split(".")
    .slice(0, 3)
    .join(".");
  // Start from a point derived from the pod so concurrent kubelet processes rarely collide.
  const start =
    Number.parseInt(
      String(pod.metadata.uid ?? "0")
        .replace(/-/g, "")
        .slice(0, 6),
      16,
    ) % 252;
  for (let i = 0; i < 252; i++) {
    const ip = `${prefix}.${((start + i) % 252) + 2}`;
    if (!set.has(ip)) {
      set.add(ip);
      const key = `${api.cluster}|${nodeName}`;
      handedOut.set(key, (handedOut.get(key) ?? new Map()).set(ip, Date.now()));
      return ip;
    }
  }
  return `${prefix}.254`;
}

const STOPPED = "kumulus.io/kubelet";

/**
 * True when a bound pod's stored status is what its kubelet would write now and will not change by itself
 * (no probe, run time or back-off pending): a kubelet pass would write nothing and arm no timer.
 */
export function kubeletSettled(pod: KubeObject, nowMs: number): boolean {
  const status = pod.status as Any | undefined;
  if (pod.metadata.deletionTimestamp || !status?.startTime || !status.podIP) return false;
  const timeline = podStatusAt(pod, Date.parse(status.startTime), nowMs);
  if (timeline.nextInSeconds !== undefined) return false;
  return sameStatus({ ...status, ...timeline.status }, status);
}

/** Equal as stored: key order and null fields (which the API server drops) do not count. */
function sameStatus(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (!v || typeof v !== "object") return v;
    const out: Any = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Any)[k];
      if (x !== null && x !== undefined) out[k] = canon(x);
    }
    return out;
  };
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/**
 * The work item key of a bound pod: `<node>/<namespace>/<name>`. The kubelet acts as the node it serves
 * (system:node:<node>), so the key says which; node, namespace and pod names hold no slash.
 */
export function podItemKey(node: string, namespace: string, name: string): string {
  return `${node}/${namespace}/${name}`;
}

/** The node a pod's work item names, and the pod. Keys queued before keys named the node have no node. */
export function parsePodItemKey(key: string): { node?: string; namespace: string; name: string } {
  const parts = key.split("/");
  if (parts.length === 3) return { node: parts[0], namespace: parts[1]!, name: parts[2]! };
  return splitKey(key);
}

export async function reconcilePod(item: WorkItem): Promise<void> {
  const { node: keyed, namespace, name } = parsePodItemKey(item.key);
  // An item queued before keys named the node: learn it from storage, as the route does from the change.
  const reader =
    keyed ??
    (
      (await defaultStore().get({ cluster: item.cluster, group: "", plural: "pods", namespace, name }))
        ?.spec as Any | undefined
    )?.nodeName;
  if (!reader) return;
  const path = `/api/v1/namespaces/${namespace}/pods/${name}`;
  const api = nodeClientFor(item.cluster, reader);
  const pod = await api.get(path);
  const nodeName = (pod?.spec as Any | undefined)?.nodeName as string | undefined;
  // A pod recreated under the same name and bound elsewhere has items of its own, naming its node.
  if (!pod || !nodeName || nodeName !== reader) return;
  const node = await api.get(`/api/v1/nodes/${nodeName}`);
  if (!node) {
    // A pod bound to a node that no longer exists is orphaned: kube's pod GC removes it at once.
    await clientFor(item.cluster, "pod-garbage-collector").delete(path, {
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid },
    });
    return;
  }
  // A stopped kubelet (a simulated node failure) drives nothing.
  if (node.metadata.annotations?.[STOPPED] === "stopped") return;
  const nowMs = Date.now();
  if (pod.metadata.deletionTimestamp) return terminate(api, item, pod, nowMs);
  const status = (pod.status ?? {}) as Any;
  if (status.phase === "Succeeded" || status.phase === "Failed") return;

  const startMs = status.startTime ? Date.parse(status.startTime) : Math.floor(nowMs / 1000) * 1000;
  const timeline = podStatusAt(pod, startMs, nowMs);
  const hostIP = ((node.status as Any)?.addresses ?? []).find((a: Any) => a.type === "InternalIP")?.address;
  const podIP =
    status.podIP ?? ((pod.spec as Any).hostNetwork && hostIP ? hostIP : await allocateIp(api, node, pod));
  const nextStatus = {
    ...status,
    ...timeline.status,
    hostIP,
    hostIPs: hostIP ? [{ ip: hostIP }] : undefined,
    podIP,
    podIPs: [{ ip: podIP }],
    qosClass: qosClass(pod),
  };
  if (!sameStatus(nextStatus, status)) {
    try {
      await api.update(`${path}/status`, { ...pod, status: nextStatus });
    } catch (e) {
      if (!isConflict(e)) throw e; // the newer version is reconciled again
      return;
    }
    for (const ev of kubeletEvents(pod, status, nextStatus))
      await recordEvent(api, pod, ev.type, ev.reason, ev.message, "kubelet");
  }
  if (timeline.nextInSeconds !== undefined)
    await requeueAfter([{ queue: "kubelet", item, afterSeconds: timeline.nextInSeconds }]);
}

/**
 * Graceful deletion: the containers get SIGTERM when the pod is marked for deletion and exit after the
 * `kumulus.io/stop-seconds` knob (default at once), at most the grace period; then the kubelet removes the pod.
 */
async function terminate(api: ApiClient, item: WorkItem, pod: KubeObject, nowMs: number): Promise<void> {
  const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
  const requested = Date.parse(pod.metadata.deletionTimestamp!) - grace * 1000;
  const stop = Number(pod.metadata.annotations?.[KNOB.stopSeconds] ?? 0) || 0;
  const exitAt = requested + Math.min(Math.max(0, stop), grace) * 1000;
  // Killing is said once per deletion: on the pass that starts the grace wait, or on the only pass when
  // there is none (after the delete then, which is what the pod's deleter waits for).
  const killing = async () => {
    for (const ev of killingEvents(pod))
      await recordEvent(api, pod, ev.type, ev.reason, ev.message, "kubelet");
  };
  if (nowMs < exitAt) {
    await killing();
    await requeueAfter([{ queue: "kubelet", item, afterSeconds: Math.ceil((exitAt - nowMs) / 1000) }]);
    return;
  }
  await api.delete(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, {
    gracePeriodSeconds: 0,
    preconditions: { uid: pod.metadata.uid },
  });
  if (exitAt === requested) await killing();
}
