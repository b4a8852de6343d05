// How lists merge, per field, following the patch metadata of the Kubernetes Go types:
//  - strategic merge patch uses `patchStrategy:"merge" patchMergeKey:"..."` (one key);
//  - server-side apply uses `+listType=map +listMapKey=...` (possibly several keys) and `+listType=set`.
// A list the table does not name is atomic: a patch or an apply replaces it whole.
//
// The table is keyed by field name plus the name of the enclosing field ("parent"): the field that holds the
// map the list is in, or for a list inside a list element, the outer list's field. So container ports are
// `ports` under `containers`, service ports are `ports` under `spec`, and a ServiceAccount's root-level
// `imagePullSecrets` (atomic) differs from a PodSpec's (merged by name).

export interface ListInfo {
  kind: "map" | "set" | "atomic";
  /** patchMergeKey for strategic merge patch; undefined for atomic lists and for sets. */
  smpKey?: string;
  /** listMapKeys for server-side apply (kind "map"). */
  keys?: string[];
  /** Values the apiserver defaults a missing key field to (container ports' protocol). */
  keyDefaults?: Record<string, unknown>;
}

interface Rule {
  field: string;
  /** Enclosing field names this rule applies under; any when omitted. "" is the object root. */
  parents?: string[];
  info: ListInfo;
  /** Applies to custom resources too (ObjectMeta is shared by every kind). */
  meta?: boolean;
  /** Not reported by the name-only lookups (the name means other things elsewhere: Endpoints addresses). */
  contextual?: boolean;
}

const byName = (key = "name"): ListInfo => ({ kind: "map", smpKey: key, keys: [key] });
const CONTAINERS = ["containers", "initContainers", "ephemeralContainers"];

const RULES: Rule[] = [
  // ObjectMeta
  { field: "finalizers", parents: ["metadata"], info: { kind: "set" }, meta: true },
  { field: "ownerReferences", parents: ["metadata"], info: byName("uid"), meta: true },
  // PodSpec
  { field: "containers", info: byName() },
  { field: "initContainers", info: byName() },
  { field: "ephemeralContainers", info: byName() },
  { field: "volumes", info: byName() },
  { field: "imagePullSecrets", parents: ["spec"], info: byName() },
  { field: "hostAliases", info: byName("ip") },
  { field: "resourceClaims", parents: ["spec"], info: byName() },
  { field: "schedulingGates", info: byName() },
  {
    field: "topologySpreadConstraints",
    info: { kind: "map", smpKey: "topologyKey", keys: ["topologyKey", "whenUnsatisfiable"] },
  },
  // Container
  { field: "env", parents: CONTAINERS, info: byName() },
  { field: "volumeMounts", parents: CONTAINERS, info: byName("mountPath") },
  { field: "volumeDevices", parents: CONTAINERS, info: byName("devicePath") },
  {
    field: "ports",
    parents: CONTAINERS,
    info: {
      kind: "map",
      smpKey: "containerPort",
      keys: ["containerPort", "protocol"],
      keyDefaults: { protocol: "TCP" },
    },
  },
  { field: "claims", parents: ["resources"], info: { kind: "map", keys: ["name"] } },
  // ServiceSpec
  {
    field: "ports",
    parents: ["spec"],
    info: { kind: "map", smpKey: "port", keys: ["port", "protocol"], keyDefaults: { protocol: "TCP" } },
  },
  // Status lists
  { field: "conditions", info: byName("type") },
  { field: "podIPs", info: byName("ip") },
  { field: "hostIPs", info: byName("ip") },
  { field: "addresses", parents: ["status"], info: byName("type"), contextual: true },
  { field: "podCIDRs", parents: ["spec"], info: { kind: "set" } },
  // ServiceAccount, admission webhook configurations
  { field: "secrets", parents: [""], info: byName() },
  { field: "webhooks", parents: [""], info: byName() },
];

/** How the list at `field`, inside a map held by field `parent`, merges. */
export function listInfo(field: string, parent: string, builtin = true): ListInfo {
  for (const r of RULES) {
    if (r.field !== field) continue;
    if (r.parents && !r.parents.includes(parent)) continue;
    if (!builtin && !r.meta) continue;
    return r.info;
  }
  return { kind: "atomic" };
}

/**
 * Maps (and structs) that server-side apply treats as one value (`+structType=atomic`, `+mapType=atomic`):
 * label selectors and node selectors.
 */
const ATOMIC_MAPS = new Set([
  "selector",
  "labelSelector",
  "namespaceSelector",
  "podSelector",
  "nodeSelector",
]);

export function isAtomicMap(field: string, builtin = true): boolean {
  return builtin && ATOMIC_MAPS.has(field);
}

/**
 * The strategic-merge key of list `field` by name alone (for OpenAPI publishing), looking at elements where
 * the key depends on context (ports). Prefer listInfo(field, parent), which knows that a ServiceAccount's
 * imagePullSecrets or a NetworkPolicy's ports are atomic; strategic merge infers the key from
 * `$setElementOrder` when a client computed its patch from this coarser answer.
 */
export function mergeKeyFor(field: string, ...lists: unknown[][]): string | undefined {
  if (field === "ports") {
    for (const l of lists)
      for (const e of l ?? []) if (e && typeof e === "object" && "containerPort" in e) return "containerPort";
    for (const l of lists)
      for (const e of l ?? []) if (e && typeof e === "object" && "port" in e) return "port";
    return undefined;
  }
  for (const r of RULES) if (r.field === field && r.info.smpKey && !r.contextual) return r.info.smpKey;
  return undefined;
}

/** True for primitive lists that merge as sets (finalizers). */
export function isPrimitiveSet(field: string): boolean {
  return RULES.some((r) => r.field === field && r.info.kind === "set");
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A deep copy of JSON data (objects from JSON.parse / YAML only hold JSON values). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
