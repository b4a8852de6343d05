import { parseQuantity } from "../api/quantity.ts";
import type { KubeObject } from "../api/types.ts";
import type { Resources } from "./types.ts";

// A pod's effective requests (max of init containers and the sum
// of app containers, plus overhead), as the scheduler computes them.

type Container = { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } };

function requestsOf(c: Container): Resources {
  const r = c.resources?.requests ?? c.resources?.limits ?? {};
  return { cpu: Math.round(parseQuantity(r.cpu) * 1000), memory: parseQuantity(r.memory), pods: 0 };
}

// Filters and scores ask for the same pod's requests once per node: parse them once per pod object.
const requestsCache = new WeakMap<KubeObject, Resources>();
const scoringCache = new WeakMap<KubeObject, Resources>();

export function podRequests(pod: KubeObject): Resources {
  let r = requestsCache.get(pod);
  if (!r) {
    r = computeRequests(pod);
    requestsCache.set(pod, r);
  }
  return r;
}

function computeRequests(pod: KubeObject): Resources {
  const spec = (pod.spec ?? {}) as {
    containers?: Container[];
    initContainers?: Container[];
    overhead?: Record<string, unknown>;
  };
  const sum: Resources = { cpu: 0, memory: 0, pods: 1 };
  for (const c of spec.containers ?? []) {
    const r = requestsOf(c);
    sum.cpu += r.cpu;
    sum.memory += r.memory;
  }
  for (const c of spec.initContainers ?? []) {
    const r = requestsOf(c);
    sum.cpu = Math.max(sum.cpu, r.cpu);
    sum.memory = Math.max(sum.memory, r.memory);
  }
  if (spec.overhead) {
    sum.cpu += Math.round(parseQuantity(spec.overhead.cpu) * 1000);
    sum.memory += parseQuantity(spec.overhead.memory);
  }
  return sum;
}

export function allocatableOf(node: KubeObject): Resources {
  const a = ((node.status as { allocatable?: Record<string, unknown> } | undefined)?.allocatable ??
    {}) as Record<string, unknown>;
  return {
    cpu: Math.round(parseQuantity(a.cpu ?? "0") * 1000),
    memory: parseQuantity(a.memory ?? "0"),
    pods: parseQuantity(a.pods ?? "110"),
  };
}

/** Requests for scoring: like kube-scheduler, a container without requests counts as 100m cpu and 200Mi. */
export function podRequestsForScoring(pod: KubeObject): Resources {
  let r = scoringCache.get(pod);
  if (!r) {
    r = computeScoring(pod);
    scoringCache.set(pod, r);
  }
  return r;
}

function computeScoring(pod: KubeObject): Resources {
  const spec = (pod.spec ?? {}) as { containers?: Container[] };
  const out: Resources = { cpu: 0, memory: 0, pods: 1 };
  for (const c of spec.containers ?? []) {
    const r = requestsOf(c);
    out.cpu += r.cpu || 100;
    out.memory += r.memory || 200 * 1024 * 1024;
  }
  return out;
}
