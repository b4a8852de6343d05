import { parseQuantity } from "./quantity.ts";
import type { KubeObject } from "./types.ts";

// ResourceQuota accounting, pure: what each object contributes to a quota's resources and a namespace's usage
// from the objects themselves. Quota admission and the quota controller share it.

type Any = any;

/** Internal units: millicores for cpu, bytes or counts otherwise, so sums are exact integers. */
export function amount(resource: string, q: unknown): number {
  const v = parseQuantity(q);
  return isCpu(resource) ? Math.round(v * 1000) : Math.round(v);
}

function isCpu(resource: string): boolean {
  return resource === "cpu" || resource.endsWith(".cpu");
}

const BIN = [
  ["Ei", 1024 ** 6],
  ["Pi", 1024 ** 5],
  ["Ti", 1024 ** 4],
  ["Gi", 1024 ** 3],
  ["Mi", 1024 ** 2],
  ["Ki", 1024],
] as const;

/** A quantity string for an internal amount: "500m" / "2" for cpu, "64Mi" for memory, "3" for counts. */
export function formatAmount(resource: string, n: number): string {
  if (isCpu(resource)) return n % 1000 === 0 ? String(n / 1000) : `${n}m`;
  if (n !== 0 && (resource.includes("memory") || resource.includes("storage"))) {
    for (const [s, f] of BIN) if (n % f === 0) return `${n / f}${s}`;
  }
  return String(n);
}

/** `count/<plural>.<group>` or `count/<plural>` for the core group. */
function countKey(group: string, plural: string): string {
  return group ? `count/${plural}.${group}` : `count/${plural}`;
}

const LEGACY_COUNTS = new Set([
  "pods",
  "services",
  "configmaps",
  "secrets",
  "persistentvolumeclaims",
  "replicationcontrollers",
  "resourcequotas",
]);

function isTerminalPod(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** The container's value for a resource; a request falls back to the limit as the apiserver defaults it. */
function containerValue(c: Any, kind: "requests" | "limits", r: string): unknown {
  const res = c.resources ?? {};
  return kind === "requests" ? (res.requests?.[r] ?? res.limits?.[r]) : res.limits?.[r];
}

function podResources(pod: KubeObject, out: Record<string, number>): void {
  const spec = (pod.spec ?? {}) as Any;
  for (const kind of ["requests", "limits"] as const) {
    const names = new Set<string>();
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])])
      for (const r of Object.keys(c.resources?.[kind] ?? {})) names.add(r);
    if (kind === "requests")
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])])
        for (const r of Object.keys(c.resources?.limits ?? {})) names.add(r);
    for (const r of names) {
      const key = `${kind}.${r}`;
      // Effective value: the sum of app containers, or the largest init container when that is larger.
      let sum = 0;
      for (const c of spec.containers ?? []) sum += amount(key, containerValue(c, kind, r) ?? 0);
      for (const c of spec.initContainers ?? [])
        sum = Math.max(sum, amount(key, containerValue(c, kind, r) ?? 0));
      if (spec.overhead?.[r] !== undefined) sum += amount(key, spec.overhead[r]);
      out[key] = sum;
      if (kind === "requests" && (r === "cpu" || r === "memory" || r === "ephemeral-storage")) out[r] = sum;
    }
  }
}

/** What one object adds to each quota resource it counts against. */
export function usageOf(group: string, plural: string, obj: KubeObject): Record<string, number> {
  const out: Record<string, number> = { [countKey(group, plural)]: 1 };
  if (group === "" && LEGACY_COUNTS.has(plural)) out[plural] = 1;
  if (group === "" && plural === "pods") {
    if (isTerminalPod(obj)) return {};
    podResources(obj, out);
  }
  if (group === "" && plural === "services") {
    const spec = (obj.spec ?? {}) as Any;
    if (spec.type === "LoadBalancer") out["services.loadbalancers"] = 1;
    if (spec.type === "LoadBalancer" || spec.type === "NodePort")
      out["services.nodeports"] = (spec.ports ?? []).length;
  }
  if (group === "" && plural === "persistentvolumeclaims") {
    const storage = (obj.spec as Any)?.resources?.requests?.storage;
    out["requests.storage"] = amount("requests.storage", storage ?? 0);
    const sc = (obj.spec as Any)?.storageClassName;
    if (sc) {
      out[`${sc}.storageclass.storage.k8s.io/requests.storage`] = out["requests.storage"];
      out[`${sc}.storageclass.storage.k8s.io/persistentvolumeclaims`] = 1;
    }
  }
  return out;
}

/** The kind (group, plural) a quota resource name is contributed by. */
export function sourceOf(resource: string): { group: string; plural: string } | undefined {
  if (resource.startsWith("count/")) {
    const rest = resource.slice("count/".length);
    const dot = rest.indexOf(".");
    return dot < 0 ? { group: "", plural: rest } : { group: rest.slice(dot + 1), plural: rest.slice(0, dot) };
  }
  if (LEGACY_COUNTS.has(resource)) return { group: "", plural: resource };
  if (resource.startsWith("services.")) return { group: "", plural: "services" };
  if (resource === "requests.storage" || resource.includes(".storageclass.storage.k8s.io/"))
    return { group: "", plural: "persistentvolumeclaims" };
  if (
    /^(requests\.|limits\.)?(cpu|memory|ephemeral-storage)$/.test(resource) ||
    /^(requests|limits)\./.test(resource)
  )
    return { group: "", plural: "pods" };
  return undefined;
}

/** Resources a pod must specify for each container when a quota tracks them (kube's "must specify"). */
export function missingForPod(pod: KubeObject, hard: Record<string, unknown>): string[] {
  const spec = (pod.spec ?? {}) as Any;
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const missing: string[] = [];
  for (const key of Object.keys(hard).sort()) {
    const m = /^(requests\.|limits\.)?(cpu|memory)$/.exec(key);
    if (!m) continue;
    const kind = m[1] === "limits." ? "limits" : "requests";
    if (containers.some((c) => containerValue(c, kind, m[2]) === undefined)) missing.push(key);
  }
  return missing;
}

/** Sums the usage of `objects` for the resources named in `hard`. */
export function usedBy(
  hard: Record<string, unknown>,
  objects: Map<string, KubeObject[]>,
): Record<string, number> {
  const used: Record<string, number> = {};
  for (const r of Object.keys(hard)) {
    const src = sourceOf(r);
    used[r] = 0;
    if (!src) continue;
    for (const o of objects.get(`${src.group}/${src.plural}`) ?? [])
      used[r] += usageOf(src.group, src.plural, o)[r] ?? 0;
  }
  return used;
}
