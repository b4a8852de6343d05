import type { JsonObject } from "../types.ts";
import { PatchError } from "./errors.ts";
import { clone, deepEqual, isObject, listInfo } from "./merge-keys.ts";

// Strategic merge patch (application/strategic-merge-patch+json), following
// k8s.io/apimachinery/pkg/util/strategicpatch as the apiserver runs it (MergeParallelList and
// IgnoreUnmatchedNulls on):
//  - maps merge recursively, a null deletes a key;
//  - lists with a patchMergeKey merge element-wise by that key, primitive lists with strategy merge
//    (finalizers) union, any other list is replaced;
//  - directives: `$patch: replace|merge|delete` in maps and list elements, `$retainKeys`,
//    `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
// Element order follows the apiserver: items named in the patch (or in $setElementOrder) take the patch's
// order, server-only items keep their relative order and are interleaved by their position in the live list;
// new items therefore land in front of the items the patch does not mention.

const PATCH = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ORDER = "$setElementOrder/";
const DELETE_FROM = "$deleteFromPrimitiveList/";

function badRequest(message: string): PatchError {
  return new PatchError(400, "BadRequest", message);
}

function isDirectiveKey(k: string): boolean {
  return k === PATCH || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_FROM);
}

/** Applies a strategic merge patch to a copy of `original`. */
export function strategicMerge(original: JsonObject, patch: JsonObject): JsonObject {
  return mergeMap(clone(original), patch, "") ?? {};
}

/**
 * Merges `patch` into `orig` (which it mutates; `orig` is always a private copy). `parent` is the name of the
 * field holding this map, used to look up list merge keys. Returns undefined for `$patch: delete`.
 */
function mergeMap(orig: JsonObject, patch: JsonObject, parent: string): JsonObject | undefined {
  const directive = patch[PATCH];
  if (directive === "delete") return undefined;
  if (directive === "replace") return strip(patch) as JsonObject;
  if (directive !== undefined && directive !== "merge") {
    throw badRequest(`Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  }

  if (RETAIN_KEYS in patch) applyRetainKeys(orig, patch);

  // $setElementOrder lists are merged together with their list, then ordered.
  const done = new Set<string>();
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(SET_ORDER)) continue;
    const field = k.slice(SET_ORDER.length);
    if (!Array.isArray(order)) throw badRequest("invalid patch format of setElementOrder list");
    const patchList = patch[field];
    if (patchList === null) continue; // the list is being deleted; nothing to order
    const origList = orig[field];
    const inOrig = Array.isArray(origList);
    const inPatch = Array.isArray(patchList);
    if (!inOrig && !inPatch) continue;
    const hint = hintFromOrder(field, parent, order);
    const key = hint.key;
    if (key) {
      for (const e of order) if (!isObject(e) || !(key in e)) throw noMergeKey(e, key);
      if (inPatch) validateOrder(patchList as unknown[], order, key);
    }
    let merged: unknown[];
    if (inOrig && !inPatch) merged = origList as unknown[];
    else if (!inOrig) merged = mergeList(field, [], patchList as unknown[], parent, hint);
    else merged = mergeList(field, origList as unknown[], patchList as unknown[], parent, hint);
    const inOrder = (e: unknown) => indexIn(order, e, key) >= 0;
    const result = normalizeOrder(
      merged.filter(inOrder),
      merged.filter((e) => !inOrder(e)),
      order,
      inOrig ? (origList as unknown[]) : [],
      key,
    );
    if (result.length === 0 && inPatch && (patchList as unknown[]).length > 0) delete orig[field];
    else orig[field] = result;
    done.add(field);
  }

  for (const [k, v] of Object.entries(patch)) {
    if (k === PATCH || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || done.has(k)) continue;
    if (k.startsWith(DELETE_FROM)) {
      const field = k.slice(DELETE_FROM.length);
      if (!Array.isArray(v)) throw badRequest("invalid patch format of primitive list");
      const cur = orig[field];
      if (!Array.isArray(cur)) continue;
      const kept = cur.filter((e) => !v.some((d) => deepEqual(d, e)));
      if (kept.length === 0 && cur.length > 0) delete orig[field];
      else orig[field] = kept;
      continue;
    }
    if (v === null) {
      delete orig[k];
      continue;
    }
    const cur = orig[k];
    if (isObject(v)) {
      const merged = mergeMap(isObject(cur) ? cur : {}, v, k);
      if (merged === undefined) delete orig[k];
      else orig[k] = merged;
    } else if (Array.isArray(v)) {
      const merged = mergeList(k, Array.isArray(cur) ? cur : [], v, parent);
      // A merge list emptied by `$patch: delete` elements goes away, as the typed round trip drops it.
      if (merged.length === 0 && v.length > 0 && Array.isArray(cur) && cur.length > 0) delete orig[k];
      else orig[k] = merged;
    } else {
      orig[k] = v;
    }
  }
  return orig;
}

/** `$retainKeys`: keys of the original not in the list are cleared; the patch may only set listed keys. */
function applyRetainKeys(orig: JsonObject, patch: JsonObject): void {
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw badRequest("invalid patch format of retainKeys");
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || isDirectiveKey(k)) continue;
    if (!keep.includes(k)) throw badRequest("invalid patch format of retainKeys");
  }
  for (const k of Object.keys(orig)) if (!keep.includes(k)) delete orig[k];
}

function smpKey(field: string, parent: string): string | undefined {
  const info = listInfo(field, parent);
  return info.kind === "map" ? info.smpKey : undefined;
}

function noMergeKey(e: unknown, key: string): PatchError {
  return badRequest(`map: ${JSON.stringify(e)} does not contain declared merge key: ${key}`);
}

interface ListHint {
  key?: string;
  set?: boolean;
}

/**
 * How a list merges. The merge-key table decides; for a list it calls atomic, a client that sent
 * `$setElementOrder` or `$patch: delete` elements computed its patch from published patch metadata that
 * says otherwise, so the key (or set semantics) is taken from the patch rather than dropping live items.
 */
function hintFromOrder(field: string, parent: string, order: unknown[]): ListHint {
  const key = smpKey(field, parent);
  if (key || listInfo(field, parent).kind === "set") return { key };
  if (order.length > 0 && order.every((e) => !isObject(e) && !Array.isArray(e))) return { set: true };
  return { key: singleKey(order) };
}

function singleKey(elements: unknown[]): string | undefined {
  let key: string | undefined;
  for (const e of elements) {
    if (!isObject(e)) return undefined;
    const fields = Object.keys(e).filter((k) => k !== PATCH);
    if (fields.length !== 1 || (key !== undefined && key !== fields[0])) return undefined;
    key = fields[0];
  }
  return key;
}

/** Merges list `field` (inside the map held by `parent`). `orig` may be mutated. */
function mergeList(
  field: string,
  orig: unknown[],
  patch: unknown[],
  parent: string,
  hint: ListHint = {},
): unknown[] {
  const info = listInfo(field, parent);
  const key =
    (info.kind === "map" ? info.smpKey : undefined) ??
    hint.key ??
    (info.kind === "atomic" ? singleKey(patch.filter(isDeleteElement)) : undefined);
  if (!key && info.kind !== "set" && !hint.set) {
    return patch.filter((e) => !isDirectiveElement(e)).map(strip);
  }
  if (orig.length === 0 && patch.length === 0) return orig;

  const maps = [...orig, ...patch].some(isObject);
  if (!maps) {
    // A primitive list with strategy merge: the union, patch items in patch order.
    const merged: unknown[] = [];
    for (const e of [...orig, ...patch]) if (!merged.some((m) => deepEqual(m, e))) merged.push(e);
    const inPatch = (e: unknown) => patch.some((p) => deepEqual(p, e));
    return normalizeOrder(
      merged.filter(inPatch),
      merged.filter((e) => !inPatch(e)),
      patch,
      orig,
      undefined,
    );
  }
  if (!key) throw badRequest(`cannot merge lists without merge key for ${field}`);

  // Special elements first: `$patch: delete` removes matches from the original, `$patch: replace` makes
  // the rest of the patch the whole list.
  let base = [...orig];
  const items: JsonObject[] = [];
  let replace = false;
  for (const e of patch) {
    if (!isObject(e)) throw badRequest(`list ${field} mixes maps and non-maps`);
    const d = e[PATCH];
    if (d === undefined || d === "merge") {
      items.push(e);
    } else if (d === "delete") {
      if (!(key in e)) throw noMergeKey(e, key);
      base = base.filter((o) => !(isObject(o) && deepEqual(o[key], e[key])));
    } else if (d === "replace") {
      replace = true;
    } else {
      throw badRequest(`Unknown patch type: ${JSON.stringify(d)} in map: ${JSON.stringify(e)}`);
    }
  }
  if (replace) return items.map(strip);

  const merged = [...base];
  for (const e of items) {
    if (!(key in e)) throw noMergeKey(e, key);
    const idx = merged.findIndex((o) => isObject(o) && deepEqual(o[key], e[key]));
    if (idx >= 0) merged[idx] = mergeMap(merged[idx] as JsonObject, e, field) ?? merged[idx];
    else merged.push(mergeMap({}, e, field) ?? {});
  }
  const inPatch = (o: unknown) => indexIn(items, o, key) >= 0;
  return normalizeOrder(
    merged.filter(inPatch),
    merged.filter((o) => !inPatch(o)),
    items,
    base,
    key,
  );
}

function isDeleteElement(e: unknown): boolean {
  return isObject(e) && e[PATCH] === "delete";
}

function isDirectiveElement(e: unknown): boolean {
  return isObject(e) && PATCH in e;
}

/** Position of `item` in `list`, comparing by merge key for maps or by value for primitives. */
function indexIn(list: unknown[], item: unknown, key: string | undefined): number {
  if (key) {
    if (!isObject(item)) return -1;
    return list.findIndex((e) => isObject(e) && deepEqual(e[key], item[key]));
  }
  return list.findIndex((e) => deepEqual(e, item));
}

/**
 * normalizeElementOrder of strategicpatch: `patchItems` sorted by `patchOrder`, `serverOnly` sorted by
 * `serverOrder`, then interleaved so that server-only items keep their place relative to patch items that
 * were also in the live list.
 */
function normalizeOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  key: string | undefined,
): unknown[] {
  const sortBy = (list: unknown[], order: unknown[]) =>
    list
      .map((e, i) => ({ e, i, o: indexIn(order, e, key) }))
      .sort((a, b) => (a.o >= 0 && b.o >= 0 ? a.o - b.o : a.i - b.i))
      .map((x) => x.e);
  const right = sortBy(patchItems, patchOrder);
  const left = sortBy(serverOnly, serverOrder);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], key);
      const ri = indexIn(serverOrder, right[j], key);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Items of a patch list must appear in its $setElementOrder list, in the same relative order. */
function validateOrder(patchList: unknown[], order: unknown[], key: string): void {
  const items = patchList.filter((e) => !isDirectiveElement(e));
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const e = items[p];
    const want = order[o];
    if (isObject(e) && isObject(want) && deepEqual(e[key], want[key])) p++;
    o++;
  }
  if (p < items.length) {
    throw badRequest(
      `The order in patch list: ${JSON.stringify(patchList)} doesn't match ${SET_ORDER} list: ${JSON.stringify(order)}`,
    );
  }
}

/** A patch value inserted as is: directives and nulls (unmatched deletes) removed. */
export function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !isDirectiveElement(e)).map(strip);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null || isDirectiveKey(k)) continue;
    out[k] = strip(val);
  }
  return out;
}
