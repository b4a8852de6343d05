import type { KubeObject } from "../../api/types.ts";
import type { FilterPlugin } from "../types.ts";

// NodePorts: a hostPort can be used once per node per protocol and host IP (0.0.0.0 conflicts with every IP).

type Port = { hostPort?: number; protocol?: string; hostIP?: string };

const cache = new WeakMap<KubeObject, Port[]>();
// The filter asks about the same incoming pod for every node: a one-entry memo in front of the WeakMap.
let lastPod: KubeObject | undefined;
let lastPorts: Port[] = [];

export function hostPorts(pod: KubeObject): Port[] {
  if (pod === lastPod) return lastPorts;
  let ports = cache.get(pod);
  if (!ports) {
    const spec = (pod.spec ?? {}) as {
      containers?: { ports?: Port[] }[];
      initContainers?: { ports?: Port[] }[];
    };
    ports = [...(spec.initContainers ?? []), ...(spec.containers ?? [])]
      .flatMap((c) => c.ports ?? [])
      .filter((p) => (p.hostPort ?? 0) > 0);
    cache.set(pod, ports);
  }
  lastPod = pod;
  lastPorts = ports;
  return ports;
}

function conflicts(a: Port, b: Port): boolean {
  if (a.hostPort !== b.hostPort || (a.protocol ?? "TCP") !== (b.protocol ?? "TCP")) return false;
  const ia = a.hostIP || "0.0.0.0";
  const ib = b.hostIP || "0.0.0.0";
  return ia === ib || ia === "0.0.0.0" || ib === "0.0.0.0";
}

export const nodePorts: FilterPlugin = (pod, n) => {
  const want = hostPorts(pod);
  if (want.length === 0) return undefined;
  for (const p of n.pods) {
    for (const used of hostPorts(p))
      if (want.some((w) => conflicts(w, used)))
        return "node(s) didn't have free ports for the requested pod ports";
  }
  return undefined;
};
