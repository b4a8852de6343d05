import type { JsonObject } from "../types.ts";
import { isObject, isPrimitiveSet, mergeKeyFor } from "./merge-keys.ts";

// Field sets in the managedFields "FieldsV1" encoding. Internally a set is a Set of paths whose segments are
// `f:name`, `k:{"name":"x"}` (a keyed list element), `v:"x"` (a set element) or `.` (the element itself).

export type FieldSet = Set<string>;
const SEP = "\u0000";

/** Metadata the server owns: never part of anyone's field set. */
const SERVER_META = new Set([
  "resourceVersion",
  "uid",
  "creationTimestamp",
  "generation",
  "managedFields",
  "selfLink",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "namespace",
  "name",
]);

export function fieldsOf(obj: unknown, opts: { includeStatus?: boolean } = {}): FieldSet {
  const out: FieldSet = new Set();
  if (!isObject(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (k === "status" && !opts.includeStatus) continue;
    if (k === "metadata" && isObject(v)) {
      for (const [mk, mv] of Object.entries(v))
        if (!SERVER_META.has(mk)) walk(mv, [`f:metadata`, `f:${mk}`], mk, out);
      continue;
    }
    walk(v, [`f:${k}`], k, out);
  }
  return out;
}

function walk(v: unknown, path: string[], field: string, out: FieldSet): void {
  if (isObject(v) && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) walk(child, [...path, `f:${k}`], k, out);
    return;
  }
  if (Array.isArray(v) && v.length > 0) {
    if (isPrimitiveSet(field)) {
      for (const e of v) out.add([...path, `v:${JSON.stringify(e)}`].join(SEP));
      return;
    }
    const key = mergeKeyFor(field, v);
    if (key) {
      for (const e of v) {
        if (!isObject(e)) continue;
        const el = [...path, `k:${JSON.stringify({ [key]: e[key] })}`];
        out.add([...el, "."].join(SEP));
        for (const [k, child] of Object.entries(e)) walk(child, [...el, `f:${k}`], k, out);
      }
      return;
    }
  }
  out.add(path.join(SEP));
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
  return root;
}

export function fromFieldsV1(f: JsonObject | undefined): FieldSet {
  const out: FieldSet = new Set();
  const rec = (node: JsonObject, path: string[]) => {
    const keys = Object.keys(node);
    if (keys.length === 0 && path.length > 0) out.add(path.join(SEP));
    for (const k of keys) rec(node[k] as JsonObject, [...path, k]);
  };
  if (f) rec(f, []);
  return out;
}

/** Reads the value at a field path; undefined when absent. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split(SEP)) {
    if (seg === ".") return cur;
    if (seg.startsWith("f:")) {
      if (!isObject(cur)) return undefined;
      cur = cur[seg.slice(2)];
    } else if (seg.startsWith("k:")) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      if (!Array.isArray(cur)) return undefined;
      cur = cur.find((e) => isObject(e) && Object.entries(key).every(([k, v]) => e[k] === v));
    } else if (seg.startsWith("v:")) {
      if (!Array.isArray(cur)) return undefined;
      const v = JSON.parse(seg.slice(2));
      return cur.includes(v) ? v : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the value at a field path (a map key, a keyed list element or a set element). */
export function removeAt(obj: unknown, path: string): void {
  const segs = path.split(SEP).filter((s) => s !== ".");
  let cur: unknown = obj;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg.startsWith("f:")) {
      if (!isObject(cur)) return;
      if (last) {
        delete cur[seg.slice(2)];
        return;
      }
      cur = cur[seg.slice(2)];
    } else if (seg.startsWith("k:")) {
      if (!Array.isArray(cur)) return;
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      const idx = cur.findIndex((e) => isObject(e) && Object.entries(key).every(([k, v]) => e[k] === v));
      if (idx < 0) return;
      if (last) {
        cur.splice(idx, 1);
        return;
      }
      cur = cur[idx];
    } else if (seg.startsWith("v:")) {
      if (!Array.isArray(cur)) return;
      const idx = cur.indexOf(JSON.parse(seg.slice(2)));
      if (idx >= 0) cur.splice(idx, 1);
      return;
    }
  }
}

/** `.spec.replicas` or `.spec.containers[name="nginx"].image`, for conflict messages. */
export function describePath(path: string): string {
  let s = "";
  for (const seg of path.split(SEP)) {
    if (seg.startsWith("f:")) s += `.${seg.slice(2)}`;
    else if (seg.startsWith("k:")) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      s += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}]`;
    } else if (seg.startsWith("v:")) s += `[${seg.slice(2)}]`;
  }
  return s;
}

export function isElementMarker(path: string): boolean {
  return path.endsWith(`${SEP}.`);
}

/** Leaf paths whose values differ between two objects (added, changed or removed). */
export function changedFields(oldObj: unknown, newObj: unknown): FieldSet {
  const out: FieldSet = new Set();
  const before = fieldsOf(oldObj, { includeStatus: true });
  const after = fieldsOf(newObj, { includeStatus: true });
  for (const p of after)
    if (!before.has(p) || JSON.stringify(valueAt(oldObj, p)) !== JSON.stringify(valueAt(newObj, p)))
      out.add(p);
  return out;
}
