import { parseQuantity } from "../api/quantity.ts";
import type { FargateSize } from "./pricing.ts";

// How EKS on Fargate sizes a pod (eks-fargate.md, "Pod sizing"): CPU and memory are each the larger of the
// biggest init container's request and the sum of the regular containers' requests; 256 MB is added for the
// VM's kubelet, kube-proxy and containerd; the result is rounded up to the smallest vCPU/memory combination
// Fargate offers that covers both. Fargate's "GB" are GiB (0.5 GB is 512 Mi), and so is the 256 MB.

/** The memory options (GB) of each vCPU size, smallest first. */
export const FARGATE_CONFIGURATIONS: readonly { vcpu: number; memoryGB: readonly number[] }[] = [
  { vcpu: 0.25, memoryGB: [0.5, 1, 2] },
  { vcpu: 0.5, memoryGB: [1, 2, 3, 4] },
  { vcpu: 1, memoryGB: steps(2, 8, 1) },
  { vcpu: 2, memoryGB: steps(4, 16, 1) },
  { vcpu: 4, memoryGB: steps(8, 30, 1) },
  { vcpu: 8, memoryGB: steps(16, 60, 4) },
  { vcpu: 16, memoryGB: steps(32, 120, 8) },
];

/** Memory Fargate adds to every pod for its own agents, in GB. */
export const FARGATE_OVERHEAD_GB = 0.25;

const GIB = 1024 ** 3;

function steps(from: number, to: number, by: number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x += by) out.push(x);
  return out;
}

interface ContainerResources {
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

export interface PodResources {
  containers?: ContainerResources[];
  initContainers?: ContainerResources[];
}

/** A container's request for a resource; a limit alone counts as the request, as the apiserver defaults it. */
function requestOf(c: ContainerResources, resource: string): number {
  const r = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
  return r === undefined ? 0 : parseQuantity(r);
}

/** What the pod asks for: vCPU and GB, before the overhead and rounding. */
export function podRequest(spec: PodResources): { vcpu: number; memoryGB: number } {
  const of = (resource: string) => {
    const sum = (spec.containers ?? []).reduce((s, c) => s + requestOf(c, resource), 0);
    const init = Math.max(0, ...(spec.initContainers ?? []).map((c) => requestOf(c, resource)));
    return Math.max(sum, init);
  };
  return { vcpu: of("cpu"), memoryGB: of("memory") / GIB };
}

/**
 * The provisioned size of a pod: its request plus the overhead, rounded up to Fargate's table. Undefined when
 * no configuration is large enough (more than 16 vCPU or 120 GB).
 */
export function fargateSizeOf(spec: PodResources): FargateSize | undefined {
  const req = podRequest(spec);
  const memory = req.memoryGB + FARGATE_OVERHEAD_GB;
  // Rounding errors of the quantity parser must not push an exact fit to the next size.
  const eps = 1e-9;
  for (const c of FARGATE_CONFIGURATIONS) {
    if (c.vcpu + eps < req.vcpu) continue;
    const m = c.memoryGB.find((g) => g + eps >= memory);
    if (m !== undefined) return { vcpu: c.vcpu, memoryGB: m };
  }
  return undefined;
}

/** The `CapacityProvisioned` annotation's value: `0.25vCPU 0.5GB`. */
export function capacityProvisioned(size: FargateSize): string {
  return `${size.vcpu}vCPU ${size.memoryGB}GB`;
}
