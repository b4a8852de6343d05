import type { JsonObject } from "../types.ts";
import { deepEqual, isAtomicMap, isObject, listInfo } from "./merge-keys.ts";

// Field sets, as structured-merge-diff keeps them and managedFields stores them ("FieldsV1").
// A path is a sequence of segments joined by SEP:
//   f:<name>       a field of a map or struct
//   k:<json>       an element of an associative list, by its key fields (sorted), e.g. k:{"name":"nginx"}
//   v:<json>       an element of a set list, e.g. v:"example.com/finalizer"
//   .              the node itself (list elements always; added maps in Update entries)
// A set holds the leaves a manager owns (scalars, atomic lists and maps, empty maps) plus `.` markers.

export type FieldSet = Set<string>;
export const SEP = "\u0000";

/** Metadata the server owns or that identifies the object: never part of anyone's field set. */
const IGNORED_META = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
]);

/** Which top-level parts of an object a field set covers. */
export type Scope = "all" | "main" | "status";

export interface FieldOpts {
  /** Built-in kinds use the merge-key table; custom resources only ObjectMeta's lists. */
  builtin: boolean;
  scope: Scope;
}

/** Groups served by the apiserver itself; everything else with a dotted group is a custom resource. */
const BUILTIN_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "extensions",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
]);

export function isBuiltinApiVersion(apiVersion: string | undefined): boolean {
  const slash = (apiVersion ?? "").indexOf("/");
  const group = slash < 0 ? "" : (apiVersion ?? "").slice(0, slash);
  return BUILTIN_GROUPS.has(group) || !group.includes(".");
}

/** The identity segment (`k:{...}`) of an associative list element; undefined when a key is missing. */
export function itemKey(e: unknown, keys: string[], defaults?: Record<string, unknown>): string | undefined {
  if (!isObject(e)) return undefined;
  const k: JsonObject = {};
  for (const name of [...keys].sort()) {
    const v = e[name] ?? defaults?.[name];
    if (v === undefined || v === null) return undefined;
    k[name] = v;
  }
  return `k:${JSON.stringify(k)}`;
}

/** The leaf fields and list-element markers of `obj`. */
export function fieldsOf(obj: unknown, opts: FieldOpts): FieldSet {
  const out: FieldSet = new Set();
  if (!isObject(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (opts.scope === "main" && k === "status") continue;
    if (opts.scope === "status" && k !== "status") continue;
    if (k === "metadata" && isObject(v)) {
      for (const [mk, mv] of Object.entries(v))
        if (!IGNORED_META.has(mk)) walk(mv, [`f:metadata`, `f:${mk}`], mk, "metadata", out, opts.builtin);
      continue;
    }
    walk(v, [`f:${k}`], k, "", out, opts.builtin);
  }
  return out;
}

function walk(v: unknown, path: string[], field: string, parent: string, out: FieldSet, builtin: boolean) {
  if (isObject(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0 || isAtomicMap(field, builtin)) out.add(path.join(SEP));
    else for (const [k, child] of entries) walk(child, [...path, `f:${k}`], k, field, out, builtin);
    return;
  }
  if (Array.isArray(v) && v.length > 0) {
    const info = listInfo(field, parent, builtin);
    if (info.kind === "set" && v.every((e) => !isObject(e) && !Array.isArray(e))) {
      for (const e of v) out.add([...path, `v:${JSON.stringify(e)}`].join(SEP));
      return;
    }
    if (info.kind === "map" && info.keys) {
      const ids = v.map((e) => itemKey(e, info.keys!, info.keyDefaults));
      if (ids.every((id) => id !== undefined)) {
        v.forEach((e, i) => {
          const el = [...path, ids[i]!];
          out.add([...el, "."].join(SEP));
          for (const [k, child] of Object.entries(e as JsonObject))
            walk(child, [...el, `f:${k}`], k, field, out, builtin);
        });
        return;
      }
    }
  }
  out.add(path.join(SEP));
}

// ---- FieldsV1 encoding ----

function segRank(s: string): number {
  if (s === ".") return 0;
  return { f: 1, k: 2, v: 3, i: 4 }[s[0]] ?? 5;
}

function sortedTree(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  const keys = Object.keys(node).sort((a, b) => segRank(a) - segRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) out[k] = sortedTree(node[k] as JsonObject);
  return out;
}

export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const p of set) {
    let cur = root;
    for (const seg of p.split(SEP)) {
      cur[seg] ??= {};
      cur = cur[seg] as JsonObject;
    }
  }
  return sortedTree(root);
}

export function fromFieldsV1(f: unknown): FieldSet {
  const out: FieldSet = new Set();
  const rec = (node: unknown, path: string[]) => {
    const keys = isObject(node) ? Object.keys(node) : [];
    if (keys.length === 0) {
      if (path.length > 0) out.add(path.join(SEP));
      return;
    }
    for (const k of keys) rec((node as JsonObject)[k], [...path, k]);
  };
  if (isObject(f)) rec(f, []);
  return out;
}

// ---- Navigating objects by field path ----

function matchesKey(e: unknown, key: JsonObject): boolean {
  if (!isObject(e)) return false;
  return Object.entries(key).every(([k, v]) => deepEqual(e[k] ?? (k === "protocol" ? "TCP" : undefined), v));
}

/** The value at a field path (`.` is the node itself); undefined when absent. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split(SEP)) {
    if (seg === ".") return cur;
    if (seg.startsWith("f:")) {
      if (!isObject(cur)) return undefined;
      cur = cur[seg.slice(2)];
    } else if (seg.startsWith("k:")) {
      if (!Array.isArray(cur)) return undefined;
      const key = JSON.parse(seg.slice(2)) as JsonObject;
      cur = cur.find((e) => matchesKey(e, key));
    } else if (seg.startsWith("v:")) {
      if (!Array.isArray(cur)) return undefined;
      const v = JSON.parse(seg.slice(2));
      cur = cur.find((e) => deepEqual(e, v));
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the node at a field path: a map key, an associative list element or a set element. */
export function removeAt(obj: unknown, path: string): void {
  const segs = path.split(SEP).filter((s) => s !== ".");
  let cur: unknown = obj;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg.startsWith("f:")) {
      if (!isObject(cur)) return;
      if (last) delete cur[seg.slice(2)];
      else cur = cur[seg.slice(2)];
    } else if (seg.startsWith("k:") || seg.startsWith("v:")) {
      if (!Array.isArray(cur)) return;
      const idx = seg.startsWith("k:")
        ? cur.findIndex((e) => matchesKey(e, JSON.parse(seg.slice(2)) as JsonObject))
        : cur.findIndex((e) => deepEqual(e, JSON.parse(seg.slice(2))));
      if (idx < 0) return;
      if (last) cur.splice(idx, 1);
      else cur = cur[idx];
    } else return;
    if (cur === undefined) return;
  }
}

/** `.spec.replicas`, `.spec.template.spec.containers[name="nginx"].image`, `.metadata.finalizers[="a"]`. */
export function describePath(path: string): string {
  let s = "";
  for (const seg of path.split(SEP)) {
    if (seg.startsWith("f:")) s += `.${seg.slice(2)}`;
    else if (seg.startsWith("k:")) {
      const key = JSON.parse(seg.slice(2)) as JsonObject;
      s += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}]`;
    } else if (seg.startsWith("v:")) s += `[=${seg.slice(2)}]`;
  }
  return s;
}

export function isMarker(path: string): boolean {
  return path === "." || path.endsWith(`${SEP}.`);
}

/** The path of the node a path designates (a `.` marker designates its parent). */
export function nodeOf(path: string): string {
  return isMarker(path) ? path.slice(0, -2) : path;
}

/** True when `p` is `prefix` or lies below it. */
export function isUnder(p: string, prefix: string): boolean {
  return p === prefix || p.startsWith(prefix + SEP);
}

export interface Comparison {
  /** Paths present in `after` only, or whose (leaf) value differs. */
  changed: FieldSet;
  /** Paths present in `before` only. */
  removed: FieldSet;
}

/** Which fields changed from `before` to `after` (typed.Compare: added and modified, and removed). */
export function compare(before: unknown, after: unknown, opts: FieldOpts): Comparison {
  const a = fieldsOf(before, opts);
  const b = fieldsOf(after, opts);
  const changed: FieldSet = new Set();
  const removed: FieldSet = new Set();
  for (const p of b) {
    if (!a.has(p)) changed.add(p);
    else if (!isMarker(p) && !deepEqual(valueAt(before, p), valueAt(after, p))) changed.add(p);
  }
  for (const p of a) if (!b.has(p)) removed.add(p);
  return { changed, removed };
}
