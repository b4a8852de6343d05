import type { KubeObject } from "./types.ts";
import { containerUsages, formatCpu, formatMemory, isRunning } from "./usage.ts";

// metrics.k8s.io/v1beta1 objects computed from pods' simulated usage. Pure, so the metrics API that
// `kubectl top` reads and the HPA controller agree.

export const METRICS_GROUP = "metrics.k8s.io";
export const METRICS_VERSION = "v1beta1";
const GV = `${METRICS_GROUP}/${METRICS_VERSION}`;
const WINDOW = "30s";
/** Kubelet, container runtime and system daemons: what a node uses with no pods. */
const NODE_OVERHEAD = { cpu: 50_000_000, memory: 256 * 1024 * 1024 };

export interface PodMetrics {
  kind: "PodMetrics";
  apiVersion: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string>; creationTimestamp: string };
  timestamp: string;
  window: string;
  containers: { name: string; usage: { cpu: string; memory: string } }[];
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function podMetricsOf(pod: KubeObject, ts = now()): PodMetrics {
  return {
    kind: "PodMetrics",
    apiVersion: GV,
    metadata: {
      name: pod.metadata.name!,
      namespace: pod.metadata.namespace!,
      ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
      creationTimestamp: ts,
    },
    timestamp: ts,
    window: WINDOW,
    containers: containerUsages(pod).map((c) => ({
      name: c.name,
      usage: { cpu: formatCpu(c.cpu), memory: formatMemory(c.memory) },
    })),
  };
}

export function nodeMetricsOf(node: KubeObject, pods: KubeObject[], ts = now()) {
  let cpu = NODE_OVERHEAD.cpu;
  let memory = NODE_OVERHEAD.memory;
  for (const p of pods) {
    if ((p.spec as { nodeName?: string } | undefined)?.nodeName !== node.metadata.name || !isRunning(p))
      continue;
    for (const c of containerUsages(p)) {
      cpu += c.cpu;
      memory += c.memory;
    }
  }
  return {
    kind: "NodeMetrics",
    apiVersion: GV,
    metadata: {
      name: node.metadata.name!,
      ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
      creationTimestamp: ts,
    },
    timestamp: ts,
    window: WINDOW,
    usage: { cpu: formatCpu(cpu), memory: formatMemory(memory) },
  };
}

/** Running pods (of those given) with their metrics, for the API and the HPA. */
export function podMetricsFor(
  pods: KubeObject[],
  selector?: (labels: Record<string, string> | undefined) => boolean,
): { pod: KubeObject; metrics: PodMetrics }[] {
  const ts = now();
  return pods
    .filter((p) => isRunning(p) && (!selector || selector(p.metadata.labels)))
    .map((pod) => ({ pod, metrics: podMetricsOf(pod, ts) }));
}
