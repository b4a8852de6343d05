import { parseQuantity } from "./quantity.ts";
import type { KubeObject } from "./types.ts";

// Simulated resource usage of a pod (docs/simulation.md): the `kumulus.io/cpu` and `kumulus.io/memory`
// annotations give each container's usage; without them a container uses 10% of its cpu request (1m without
// one) and 30% of its memory request (8Mi without one). Pure, so the metrics API and the HPA agree.

export interface Usage {
  /** CPU in nanocores. */
  cpu: number;
  /** Memory in bytes. */
  memory: number;
}

export interface ContainerUsage extends Usage {
  name: string;
}

type Container = {
  name: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
};

const MI = 1024 * 1024;

/** A container's request for a resource, falling back to its limit as the apiserver defaults it. */
export function containerRequest(c: Container, resource: "cpu" | "memory"): number | undefined {
  const v = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
  return v === undefined ? undefined : parseQuantity(v);
}

export function containerUsages(pod: KubeObject): ContainerUsage[] {
  const ann = pod.metadata.annotations ?? {};
  const cpuKnob = ann["kumulus.io/cpu"];
  const memKnob = ann["kumulus.io/memory"];
  const containers = ((pod.spec as { containers?: Container[] } | undefined)?.containers ??
    []) as Container[];
  return containers.map((c) => {
    const reqCpu = containerRequest(c, "cpu");
    const reqMem = containerRequest(c, "memory");
    const cpuCores = cpuKnob !== undefined ? parseQuantity(cpuKnob) : reqCpu ? reqCpu * 0.1 : 0.001;
    const memBytes = memKnob !== undefined ? parseQuantity(memKnob) : reqMem ? reqMem * 0.3 : 8 * MI;
    return { name: c.name, cpu: Math.round(cpuCores * 1e9), memory: Math.round(memBytes) };
  });
}

export function podUsage(pod: KubeObject): Usage {
  const sum: Usage = { cpu: 0, memory: 0 };
  for (const c of containerUsages(pod)) {
    sum.cpu += c.cpu;
    sum.memory += c.memory;
  }
  return sum;
}

/** Only running pods have usage, as metrics-server only reports containers it can scrape. */
export function isRunning(pod: KubeObject): boolean {
  const st = pod.status as { phase?: string } | undefined;
  return st?.phase === "Running" && !pod.metadata.deletionTimestamp;
}

/** metrics-server's cpu format: whole millicores as "250m", otherwise nanocores "12345n". */
export function formatCpu(nanocores: number): string {
  const n = Math.max(0, Math.round(nanocores));
  if (n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  return `${n}n`;
}

/** Memory in Ki, as metrics-server reports it. */
export function formatMemory(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}
