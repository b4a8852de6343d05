import { errors } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import { parseQuantity } from "../scheduler/resources.ts";
import type { Store } from "../store/store.ts";
import type { AdmissionPlugin } from "./admission.ts";

// ResourceQuota: what each object contributes to a quota's resources (pure), usage of a namespace from the
// objects themselves, and the admission check on create. Every quota resource is contributed by exactly one
// kind, so a create only needs to list objects of its own kind. As in kube, concurrent creates are serialised
// by the quota's resourceVersion: an admitted create commits the quota with its new status.used in the same
// transaction (a companion write expecting the revision read here), so of two creates that read the same
// quota one fails that expectation and is admitted again against what the other committed. The quota is read
// before the objects, so a create that read the new quota also sees the object committed with it.

type Any = any;

/** Internal units: millicores for cpu, bytes or counts otherwise, so sums are exact integers. */
function amount(resource: string, q: unknown): number {
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

/** Lists the objects of every kind the quotas' resources come from, keyed by `group/plural`. */
export async function objectsFor(
  store: Store,
  cluster: string,
  namespace: string,
  resources: string[],
): Promise<Map<string, KubeObject[]>> {
  const kinds = new Map<string, { group: string; plural: string }>();
  for (const r of resources) {
    const s = sourceOf(r);
    if (s) kinds.set(`${s.group}/${s.plural}`, s);
  }
  const out = new Map<string, KubeObject[]>();
  await Promise.all(
    [...kinds].map(async ([k, s]) => {
      const { items } = await store.list({ cluster, group: s.group, plural: s.plural }, { namespace });
      out.set(k, items);
    }),
  );
  return out;
}

function pretty(resources: string[], values: Record<string, number>): string {
  return resources.map((r) => `${r}=${formatAmount(r, values[r] ?? 0)}`).join(",");
}

/** The ResourceQuota admission plugin: refuse a create that would take a namespace over a quota. */
export const resourceQuotaAdmission: AdmissionPlugin = async (ctx, op, obj, _old, extras) => {
  if (op !== "CREATE" || !ctx.kind.namespaced) return;
  const namespace = obj.metadata.namespace ?? "";
  const { group, plural } = ctx.kind;
  const { items: quotas } = await ctx.store.list(
    { cluster: ctx.cluster, group: "", plural: "resourcequotas" },
    { namespace },
  );
  if (quotas.length === 0) return;
  const delta = usageOf(group, plural, obj);
  const forbid = (msg: string) =>
    errors.forbidden(
      `${plural}${group ? `.${group}` : ""} "${obj.metadata.name}" is forbidden: ${msg}`,
      {
        group,
        plural,
      },
      obj.metadata.name,
    );
  let existing: KubeObject[] | undefined;
  for (const q of quotas.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    const hard = ((q.spec as Any)?.hard ?? {}) as Record<string, unknown>;
    const tracked = Object.keys(hard).filter((r) => delta[r] !== undefined || sourceOfIs(r, group, plural));
    if (tracked.length === 0) continue;
    if (group === "" && plural === "pods" && Object.keys(delta).length > 0) {
      const missing = missingForPod(obj, hard);
      if (missing.length > 0)
        throw forbid(`failed quota: ${q.metadata.name}: must specify ${missing.join(",")}`);
    }
    existing ??= (await ctx.store.list({ cluster: ctx.cluster, group, plural }, { namespace })).items.filter(
      (o) => o.metadata.name !== obj.metadata.name,
    );
    const used = usedBy(hard, new Map([[`${group}/${plural}`, existing]]));
    const exceeded = tracked
      .filter((r) => (delta[r] ?? 0) > 0 && used[r] + (delta[r] ?? 0) > amount(r, hard[r]))
      .sort();
    if (exceeded.length === 0) {
      // A quota created under an existing quota's name is the store's 409 to give, not a companion write.
      const isSelf = group === "" && plural === "resourcequotas" && q.metadata.name === obj.metadata.name;
      if (extras && !isSelf && tracked.some((r) => (delta[r] ?? 0) !== 0))
        extras.writes.push(charged(ctx, q, tracked, used, delta));
      continue;
    }
    const limited = Object.fromEntries(exceeded.map((r) => [r, amount(r, hard[r])]));
    throw forbid(
      `exceeded quota: ${q.metadata.name}, requested: ${pretty(exceeded, delta)}, used: ${pretty(exceeded, used)}, limited: ${pretty(exceeded, limited)}`,
    );
  }
};

/** The quota with this create's usage added to status.used, to commit with the create. */
function charged(
  ctx: { cluster: string },
  q: KubeObject,
  tracked: string[],
  used: Record<string, number>,
  delta: Record<string, number>,
) {
  const status = (q.status ?? {}) as { hard?: Record<string, unknown>; used?: Record<string, string> };
  const next = { ...status.used };
  for (const r of tracked) next[r] = formatAmount(r, used[r] + (delta[r] ?? 0));
  return {
    key: {
      cluster: ctx.cluster,
      group: "",
      plural: "resourcequotas",
      namespace: q.metadata.namespace ?? "",
      name: q.metadata.name!,
    },
    obj: { ...q, status: { ...status, hard: status.hard ?? (q.spec as Any)?.hard, used: next } },
    expectRv: Number(q.metadata.resourceVersion),
  };
}

function sourceOfIs(resource: string, group: string, plural: string): boolean {
  const s = sourceOf(resource);
  return s !== undefined && s.group === group && s.plural === plural;
}
