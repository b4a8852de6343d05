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
  const onNode = (await api.list(`/api/v1/pods`)).items.filter(
    (p) => (p.spec as Any).nodeName === nodeName && (p.status as Any)?.podIP,
  );
  const used = new Set(onNode.map((p) => (p.status as Any).podIP));
  const prefix = String((node.spec as Any)?.podCIDR ?? "10.244.0.0/24")
    .split(".")
    .slice(0, 3)
    .join(".");
  let host = 2;
  while (used.has(`${prefix}.${host}`) && host < 254) host++;
  const podIP = `${prefix}.${host}`;
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
