import type { KubeObject } from "../api/types.ts";
import { isConflict } from "../controllers/client.ts";
import { clientFor, splitKey } from "../controllers/runtime.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
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

/** IPs handed out per node by this kubelet process, re-seeded from the node's pods every 30 s (frees IPs). */
const ipsByNode = new Map<string, { at: number; set: Promise<Set<string>> }>();

async function allocateIp(
  api: ReturnType<typeof clientFor>,
  node: KubeObject,
  pod: KubeObject,
): Promise<string> {
  const nodeName = node.metadata.name!;
  let used = ipsByNode.get(nodeName);
  if (!used || Date.now() - used.at > 30_000) {
    used = {
      at: Date.now(),
      set: api
        .list(`/api/v1/pods?fieldSelector=spec.nodeName%3D${encodeURIComponent(nodeName)}`)
        .then(({ items }) => new Set(items.map((p) => (p.status as Any)?.podIP).filter(Boolean))),
    };
    ipsByNode.set(nodeName, used);
  }
  const set = await used.set;
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
      return ip;
    }
  }
  return `${prefix}.254`;
}

const STOPPED = "kumulus.io/kubelet";

export async function reconcilePod(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "kubelet");
  const { namespace, name } = splitKey(item.key);
  const path = `/api/v1/namespaces/${namespace}/pods/${name}`;
  const pod = await api.get(path);
  const nodeName = (pod?.spec as Any | undefined)?.nodeName as string | undefined;
  if (!pod || !nodeName) return;
  const node = await api.get(`/api/v1/nodes/${nodeName}`);
  if (!node) {
    // A pod bound to a node that no longer exists is orphaned; the pod GC removes it at once.
    await api.delete(path, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    return;
  }
  // A stopped kubelet (a simulated node failure) drives nothing.
  if (node.metadata.annotations?.[STOPPED] === "stopped") return;
  const nowMs = Date.now();
  if (pod.metadata.deletionTimestamp) return terminate(item, pod, nowMs);
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
  if (JSON.stringify(nextStatus) !== JSON.stringify(status)) {
    try {
      await api.update(`${path}/status`, { ...pod, status: nextStatus });
    } catch (e) {
      if (!isConflict(e)) throw e; // the newer version is reconciled again
      return;
    }
  }
  if (timeline.nextInSeconds !== undefined)
    await requeueAfter([{ queue: "kubelet", item, afterSeconds: timeline.nextInSeconds }]);
}

/**
 * Graceful deletion: the containers get SIGTERM when the pod is marked for deletion and exit after the
 * `kumulus.io/stop-seconds` knob (default at once), at most the grace period; then the kubelet removes the pod.
 */
async function terminate(item: WorkItem, pod: KubeObject, nowMs: number): Promise<void> {
  const api = clientFor(item.cluster, "kubelet");
  const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
  const requested = Date.parse(pod.metadata.deletionTimestamp!) - grace * 1000;
  const stop = Number(pod.metadata.annotations?.[KNOB.stopSeconds] ?? 0) || 0;
  const exitAt = requested + Math.min(Math.max(0, stop), grace) * 1000;
  if (nowMs < exitAt) {
    await requeueAfter([{ queue: "kubelet", item, afterSeconds: Math.ceil((exitAt - nowMs) / 1000) }]);
    return;
  }
  await api.delete(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, {
    gracePeriodSeconds: 0,
    preconditions: { uid: pod.metadata.uid },
  });
}
