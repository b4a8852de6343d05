import type { JsonObject, KubeObject, ManagedFieldsEntry } from "../types.ts";
import { PatchError } from "./errors.ts";
import {
  compare,
  describePath,
  type FieldOpts,
  type FieldSet,
  fieldsOf,
  fromFieldsV1,
  isBuiltinApiVersion,
  isUnder,
  itemKey,
  nodeOf,
  removeAt,
  SEP,
  toFieldsV1,
  valueAt,
} from "./fields.ts";
import { clone, deepEqual, isAtomicMap, isObject, listInfo } from "./merge-keys.ts";

// Server-side apply and managedFields bookkeeping, after sigs.k8s.io/structured-merge-diff's Updater:
//  - Apply: the configuration is merged into the live object; the applier's entry becomes exactly the
//    configuration's field set; fields it applied last time and no longer applies are removed unless some
//    other manager owns them; fields the merge changes that another manager owns are conflicts (409) unless
//    forced, in which case the other manager loses them.
//  - Update (create, update, non-apply patches): the writer gains every field it changed and other managers
//    lose them; removed fields leave every set.

interface Managed {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

function stamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function sameManager(e: ManagedFieldsEntry, manager: string, op: string, subresource?: string): boolean {
  return e.manager === manager && e.operation === op && (e.subresource ?? "") === (subresource ?? "");
}

function readManaged(obj: KubeObject | undefined): Managed[] {
  const list = obj?.metadata?.managedFields;
  if (!Array.isArray(list)) return [];
  return list
    .filter((e) => isObject(e) && typeof e.manager === "string")
    .map((e) => ({ entry: e, set: fromFieldsV1(e.fieldsV1) }));
}

/** managedFields order of the apiserver: by operation, time, manager, apiVersion, subresource. */
function sortEntries(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const secs = (e: ManagedFieldsEntry) => (e.time ? Math.floor(Date.parse(e.time) / 1000) : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (a, b) =>
      cmp(a.operation, b.operation) ||
      secs(a) - secs(b) ||
      cmp(a.manager, b.manager) ||
      cmp(a.apiVersion, b.apiVersion) ||
      cmp(a.subresource ?? "", b.subresource ?? ""),
  );
}

function entryOf(m: Managed): ManagedFieldsEntry {
  const { fieldsV1: _, ...rest } = m.entry;
  return { ...rest, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(m.set) };
}

function setEqual(a: FieldSet, b: FieldSet): boolean {
  return a.size === b.size && [...a].every((p) => b.has(p));
}

/** Removes null map values: in an apply configuration a null means "not set". */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) if (val !== null) out[k] = dropNulls(val);
  return out;
}

function typedError(obj: KubeObject, msg: string): PatchError {
  const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  return new PatchError(
    400,
    "BadRequest",
    `failed to create typed patch object (${ns}${obj.metadata?.name ?? ""}; ${group ? `${group}/` : ""}${version}, Kind=${obj.kind}): ${msg}`,
  );
}

/** Associative lists in an apply configuration need every key field and unique keys. */
function checkConfig(
  v: unknown,
  path: string,
  field: string,
  parent: string,
  builtin: boolean,
  obj: KubeObject,
) {
  if (isObject(v)) {
    for (const [k, c] of Object.entries(v)) checkConfig(c, `${path}.${k}`, k, field, builtin, obj);
    return;
  }
  if (!Array.isArray(v)) return;
  const info = listInfo(field, parent, builtin);
  if (info.kind !== "map" || !info.keys) return;
  const seen = new Set<string>();
  v.forEach((e, i) => {
    const id = itemKey(e, info.keys!, info.keyDefaults);
    if (id === undefined) {
      const missing = info.keys!.find((k) => !isObject(e) || e[k] === undefined || e[k] === null);
      throw typedError(
        obj,
        `${path}: element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(missing)} (and doesn't have default value)`,
      );
    }
    if (seen.has(id)) throw typedError(obj, `${path}: duplicate entries for key ${describePath(id)}`);
    seen.add(id);
    checkConfig(e, `${path}[${i}]`, field, parent, builtin, obj);
  });
}

/** structured-merge-diff's merge: the configuration wins, maps and associative/set lists merge. */
function mergeValue(live: unknown, cfg: unknown, field: string, parent: string, builtin: boolean): unknown {
  if (isObject(cfg)) {
    if (!isObject(live) || isAtomicMap(field, builtin)) return clone(cfg);
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(cfg)) out[k] = mergeValue(live[k], v, k, field, builtin);
    return out;
  }
  if (!Array.isArray(cfg) || !Array.isArray(live)) return clone(cfg);
  const info = listInfo(field, parent, builtin);
  if (info.kind === "atomic") return clone(cfg);
  const id =
    info.kind === "set"
      ? (e: unknown) => (isObject(e) || Array.isArray(e) ? undefined : `v:${JSON.stringify(e)}`)
      : (e: unknown) => itemKey(e, info.keys ?? [], info.keyDefaults);
  const lids = live.map(id);
  const cids = cfg.map(id);
  if ([...lids, ...cids].some((x) => x === undefined)) return clone(cfg);
  const cIndex = new Map<string, number>();
  cids.forEach((k, i) => cIndex.set(k!, i));
  const lIndex = new Map<string, number>();
  lids.forEach((k, i) => {
    if (!lIndex.has(k!)) lIndex.set(k!, i);
  });
  const item = (ci: number) => {
    const li = lIndex.get(cids[ci]!);
    if (li === undefined || info.kind === "set") return clone(cfg[ci]);
    return mergeValue(live[li], cfg[ci], field, parent, builtin);
  };
  // Live-only items keep their place; configuration items come in configuration order.
  const out: unknown[] = [];
  let next = 0;
  lids.forEach((lid, li) => {
    const ci = cIndex.get(lid!);
    if (ci === undefined) out.push(live[li]);
    else while (next <= ci) out.push(item(next++));
  });
  while (next < cfg.length) out.push(item(next++));
  return out;
}

/** Removes maps and lists that `prune` emptied and nobody else claims, deepest first. */
function removeEmptied(obj: KubeObject, removedPaths: string[], protectedSet: FieldSet): void {
  const candidates = new Set<string>();
  for (const p of removedPaths) {
    const segs = p.split(SEP);
    for (let i = segs.length - 1; i >= 2; i--) {
      if (segs[i - 1].startsWith("f:")) candidates.add(segs.slice(0, i).join(SEP));
    }
  }
  const sorted = [...candidates].sort((a, b) => b.split(SEP).length - a.split(SEP).length);
  for (const c of sorted) {
    if ([...protectedSet].some((p) => isUnder(p, c))) continue;
    const v = valueAt(obj, c);
    if ((isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0))
      removeAt(obj, c);
  }
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  subresource?: string;
  now: Date;
}

export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  opts: ApplyOptions,
): KubeObject {
  const builtin = isBuiltinApiVersion(applied.apiVersion);
  const config = dropNulls(applied) as KubeObject;
  config.metadata = isObject(config.metadata) ? config.metadata : {};
  delete config.metadata.managedFields;
  checkConfig(config, "", "", "", builtin, config);

  const scope = opts.subresource === "status" ? "status" : "main";
  const fopts: FieldOpts = { builtin, scope };
  const appliedSet = fieldsOf(config, fopts);
  const now = stamp(opts.now);
  const mine: Managed = {
    entry: {
      manager: opts.manager,
      operation: "Apply",
      apiVersion: config.apiVersion,
      time: now,
      fieldsType: "FieldsV1",
      fieldsV1: {},
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    },
    set: appliedSet,
  };

  if (!live) {
    const created = clone(config);
    if (appliedSet.size > 0) created.metadata.managedFields = [entryOf(mine)];
    return created;
  }

  const managed = readManaged(live);
  const previous = managed.find((m) => sameManager(m.entry, opts.manager, "Apply", opts.subresource));
  const others = managed.filter((m) => m !== previous);
  const merged = mergeValue(clone(live), config, "", "", builtin) as KubeObject;

  // Prune what this manager applied last time and no longer applies, unless someone still owns it.
  if (previous) {
    const protectedSet = new Set<string>(appliedSet);
    for (const o of others) for (const p of o.set) protectedSet.add(p);
    const removed: string[] = [];
    for (const p of previous.set) {
      const node = nodeOf(p);
      if ([...protectedSet].some((q) => isUnder(q, node))) continue;
      removeAt(merged, node);
      removed.push(node);
    }
    removeEmptied(merged, removed, protectedSet);
  }

  // What the apply changes: owned by someone else, it is a conflict.
  const cmp = compare(live, merged, fopts);
  const conflicts: { path: string; owner: Managed }[] = [];
  for (const o of others)
    for (const p of o.set) if (cmp.changed.has(p)) conflicts.push({ path: p, owner: o });
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);
  for (const o of others) {
    for (const c of conflicts) if (c.owner === o) o.set.delete(c.path);
    for (const p of cmp.removed) o.set.delete(p);
  }

  const unchanged = previous && cmp.changed.size === 0 && cmp.removed.size === 0;
  if (unchanged && setEqual(previous.set, appliedSet) && previous.entry.time)
    mine.entry.time = previous.entry.time;
  const entries = others.filter((o) => o.set.size > 0).map(entryOf);
  if (appliedSet.size > 0) entries.push(entryOf(mine));
  if (entries.length > 0) merged.metadata.managedFields = sortEntries(entries);
  else delete merged.metadata.managedFields;
  return merged;
}

function managerLabel(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === "Update") s += ` using ${e.apiVersion}`;
  return s;
}

/** The 409 the apiserver returns for apply conflicts (fieldmanager's NewConflictError). */
function conflictError(conflicts: { path: string; owner: Managed }[]): PatchError {
  const causes = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${managerLabel(c.owner.entry)}`,
    field: describePath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: ${causes[0].message}: ${causes[0].field}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const label = managerLabel(c.owner.entry);
      byManager.set(label, [...(byManager.get(label) ?? []), describePath(c.path)]);
    }
    const lines: string[] = [];
    for (const label of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${label}:`);
      for (const p of byManager.get(label)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new PatchError(409, "Conflict", message, causes);
}

/**
 * A create's "before": what an empty typed object has (metadata, spec and status structs), so that the
 * maps a create adds (labels, data) get their `.` marker as in the apiserver.
 */
function skeleton(obj: KubeObject): JsonObject {
  const out: JsonObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: {} };
  for (const k of ["spec", "status"]) if (isObject(obj[k])) out[k] = {};
  return out;
}

/** `.` markers for maps an update adds inside existing maps (`f:labels: {.: {}, f:app: {}}`). */
function addedMaps(before: unknown, after: unknown, changed: FieldSet): string[] {
  const out = new Set<string>();
  for (const p of changed) {
    const segs = p.split(SEP);
    for (let i = 1; i < segs.length; i++) {
      if (!segs[i - 1].startsWith("f:")) continue;
      const node = segs.slice(0, i).join(SEP);
      const v = valueAt(after, node);
      if (!isObject(v) && !Array.isArray(v)) continue;
      const parentExists = i === 1 || valueAt(before, segs.slice(0, i - 1).join(SEP)) !== undefined;
      if (valueAt(before, node) === undefined && parentExists) {
        out.add(`${node}${SEP}.`);
      }
    }
  }
  return [...out];
}

/**
 * Records an ordinary write (create, update, JSON/merge/strategic patch) in `newObj.metadata.managedFields`:
 * `manager` (operation Update) gains the fields that changed from `oldObj`, other managers lose them, and
 * fields that no longer exist leave every set. Entries left empty are dropped.
 */
export function updateManagedFields(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  manager: string,
  operation: "Update",
  opts: { subresource?: string; now?: Date } = {},
): void {
  newObj.metadata ??= {};
  const given = newObj.metadata.managedFields;
  // `managedFields: [{}]` in a write clears them; any other change to them is taken as the client's.
  if (Array.isArray(given) && given.length > 0 && given.every((e) => !isObject(e) || !e.manager)) {
    delete newObj.metadata.managedFields;
    return;
  }
  let managed: Managed[];
  if (
    oldObj &&
    Array.isArray(given) &&
    given.length > 0 &&
    !deepEqual(given, oldObj.metadata.managedFields)
  ) {
    managed = readManaged(newObj);
  } else managed = readManaged(oldObj);

  const builtin = isBuiltinApiVersion(newObj.apiVersion);
  const before = oldObj ?? skeleton(newObj);
  const { changed, removed } = compare(before, newObj, { builtin, scope: "all" });
  for (const m of addedMaps(before, newObj, changed)) changed.add(m);

  let mine = managed.find((m) => sameManager(m.entry, manager, operation, opts.subresource));
  const others = managed.filter((m) => m !== mine);
  for (const o of others) {
    for (const p of changed) o.set.delete(p);
    for (const p of removed) o.set.delete(p);
  }
  if (!mine) {
    mine = {
      entry: {
        manager,
        operation,
        apiVersion: newObj.apiVersion,
        fieldsType: "FieldsV1",
        fieldsV1: {},
        ...(opts.subresource ? { subresource: opts.subresource } : {}),
      },
      set: new Set(),
    };
  }
  for (const p of removed) mine.set.delete(p);
  for (const p of changed) mine.set.add(p);
  // Fields that no longer exist (a removed map's `.`, say) belong to no one.
  for (const m of [...others, mine])
    for (const p of [...m.set]) if (valueAt(newObj, p) === undefined) m.set.delete(p);
  if (changed.size > 0 || !mine.entry.time) {
    mine.entry = { ...mine.entry, apiVersion: newObj.apiVersion, time: stamp(opts.now ?? new Date()) };
  }

  const entries = [...others, mine].filter((m) => m.set.size > 0).map(entryOf);
  if (entries.length > 0) newObj.metadata.managedFields = sortEntries(entries);
  else delete newObj.metadata.managedFields;
}
