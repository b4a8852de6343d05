import { isObject, isPrimitiveSet, mergeKeyFor } from "./merge-keys.ts";

// Strategic merge patch (application/strategic-merge-patch+json), as `kubectl apply`, `kubectl patch` and
// the kubectl verbs that edit objects send it: maps merge, keyed lists merge by key, other lists are
// replaced, and the $patch / $retainKeys / $setElementOrder / $deleteFromPrimitiveList directives apply.

const SET_ORDER = "$setElementOrder/";
const DELETE_PRIMITIVE = "$deleteFromPrimitiveList/";

export function strategicMerge(original: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return strip(patch);
  return mergeMap(isObject(original) ? original : {}, patch);
}

function mergeMap(
  orig: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const directive = patch.$patch;
  if (directive === "delete") return undefined;
  if (directive === "replace") return strip(withoutDirectives(patch)) as Record<string, unknown>;
  const result: Record<string, unknown> = { ...orig };
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      const remove = new Set((value as unknown[]) ?? []);
      if (Array.isArray(result[field]))
        result[field] = (result[field] as unknown[]).filter((v) => !remove.has(v));
      continue;
    }
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else if (isObject(value)) {
      const merged = mergeMap(isObject(result[key]) ? (result[key] as Record<string, unknown>) : {}, value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  for (const [key, order] of Object.entries(patch)) {
    if (key.startsWith(SET_ORDER) && Array.isArray(order)) {
      const field = key.slice(SET_ORDER.length);
      if (Array.isArray(result[field])) result[field] = reorder(field, result[field] as unknown[], order);
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(result)) if (!keep.has(k) && !(k in patch)) delete result[k];
  }
  return result;
}

function mergeList(field: string, orig: unknown, patch: unknown[]): unknown[] {
  const base = Array.isArray(orig) ? orig : [];
  if (patch.some((e) => isObject(e) && e.$patch === "replace" && Object.keys(e).length === 1)) {
    return patch.filter((e) => !(isObject(e) && e.$patch === "replace")).map(strip);
  }
  if (isPrimitiveSet(field)) {
    const out = [...base];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const key = mergeKeyFor(field, base, patch);
  if (!key) return patch.map(strip);
  const out = [...base];
  for (const el of patch) {
    if (!isObject(el)) continue;
    const idx = out.findIndex((o) => isObject(o) && o[key] === el[key]);
    if (el.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = mergeMap(out[idx] as Record<string, unknown>, el) ?? out[idx];
    else out.push(strip(el));
  }
  return out;
}

/** Orders a merged list as $setElementOrder says; elements it does not name keep their place at the end. */
function reorder(field: string, list: unknown[], order: unknown[]): unknown[] {
  const key = mergeKeyFor(field, list, order as unknown[][]);
  const id = (e: unknown) => (key && isObject(e) ? e[key] : e);
  const wanted = order.map(id);
  const named = wanted.map((w) => list.find((e) => id(e) === w)).filter((e) => e !== undefined);
  const rest = list.filter((e) => !wanted.includes(id(e)));
  return [...named, ...rest];
}

function withoutDirectives(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!k.startsWith("$")) out[k] = v;
  return out;
}

/** Removes directive keys from a value that is being inserted as is. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) if (!k.startsWith("$")) out[k] = strip(val);
  return out;
}
