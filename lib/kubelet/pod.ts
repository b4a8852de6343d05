import type { KubeObject } from "../api/types.ts";
import { isConflict } from "../controllers/client.ts";
import { clientFor, now, splitKey } from "../controllers/runtime.ts";
import type { WorkItem } from "../runtime/work.ts";

// The simulated kubelet: a pod bound to a node is started — IP from the node's pod CIDR, QoS class,
// container statuses — and becomes Running and Ready. (Probe timings, restarts and Job completion are the
// next steps of the control-loop issue.)

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

export async function reconcilePod(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "kubelet");
  const { namespace, name } = splitKey(item.key);
  const pod = await api.get(`/api/v1/namespaces/${namespace}/pods/${name}`);
  const nodeName = (pod?.spec as Any | undefined)?.nodeName as string | undefined;
  if (!pod || !nodeName || pod.metadata.deletionTimestamp) return;
  const status = (pod.status ?? {}) as Any;
  if (status.phase === "Running" || status.phase === "Succeeded" || status.phase === "Failed") return;
  const node = await api.get(`/api/v1/nodes/${nodeName}`);
  if (!node) return;
  const podIP = await allocateIp(api, node, pod);

  const hostIP = ((node.status as Any)?.addresses ?? []).find((a: Any) => a.type === "InternalIP")?.address;
  const ts = now();
  const cond = (type: string) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: ts });
  const containers = ((pod.spec as Any).containers ?? []) as Any[];
  const next = {
    ...pod,
    status: {
      ...status,
      phase: "Running",
      conditions: [
        cond("PodReadyToStartContainers"),
        cond("Initialized"),
        cond("Ready"),
        cond("ContainersReady"),
        cond("PodScheduled"),
      ],
      hostIP,
      hostIPs: hostIP ? [{ ip: hostIP }] : undefined,
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: ts,
      qosClass: qosClass(pod),
      containerStatuses: containers.map((c, i) => ({
        name: c.name,
        image: c.image,
        imageID: `${c.image}@sha256:${"0".repeat(64)}`,
        containerID: `containerd://${pod.metadata.uid?.replace(/-/g, "")}${i}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: ts } },
      })),
    },
  };
  try {
    await api.update(`/api/v1/namespaces/${namespace}/pods/${name}/status`, next);
  } catch (e) {
    if (!isConflict(e)) throw e; // the newer version is reconciled again
  }
}
