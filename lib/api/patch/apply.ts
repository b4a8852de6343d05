import type { KubeObject, ManagedFieldsEntry } from "../types.ts";
import { PatchError } from "./errors.ts";
import {
  changedFields,
  describePath,
  type FieldSet,
  fieldsOf,
  fromFieldsV1,
  isElementMarker,
  removeAt,
  toFieldsV1,
  valueAt,
} from "./fields.ts";
import { strategicMerge } from "./strategic.ts";

// Server-side apply and managedFields bookkeeping. An Apply entry records exactly the fields a manager's last
// applied configuration set; fields it stops setting are removed unless someone else also manages them, and
// setting a field another manager owns to a different value is a conflict unless forced.

function stamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function same(e: ManagedFieldsEntry, manager: string, op: string, subresource?: string): boolean {
  return e.manager === manager && e.operation === op && (e.subresource ?? "") === (subresource ?? "");
}

export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  opts: { manager: string; force: boolean; subresource?: string; now: Date },
): KubeObject {
  const withStatus = opts.subresource === "status";
  const appliedSet = fieldsOf(applied, { includeStatus: withStatus });
  const managed = live?.metadata.managedFields ?? [];
  const others = managed.filter((e) => !same(e, opts.manager, "Apply", opts.subresource));
  const otherSets = others.map((e) => ({ entry: e, set: fromFieldsV1(e.fieldsV1) }));
  if (live) {
    const conflicts: { path: string; manager: string; apiVersion: string }[] = [];
    for (const p of appliedSet) {
      if (isElementMarker(p)) continue;
      const before = valueAt(live, p);
      if (before === undefined || JSON.stringify(before) === JSON.stringify(valueAt(applied, p))) continue;
      for (const o of otherSets)
        if (o.set.has(p))
          conflicts.push({ path: p, manager: o.entry.manager, apiVersion: o.entry.apiVersion });
    }
    if (conflicts.length > 0 && !opts.force) {
      const lines = conflicts.map(
        (c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${describePath(c.path)}`,
      );
      const msg =
        conflicts.length === 1
          ? `Apply failed with 1 conflict: ${lines[0]}`
          : `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
      throw new PatchError(
        409,
        "Conflict",
        msg,
        conflicts.map((c) => ({
          reason: "FieldManagerConflict",
          message: `conflict with "${c.manager}" using ${c.apiVersion}`,
          field: describePath(c.path),
        })),
      );
    }
    if (opts.force) {
      for (const o of otherSets)
        for (const p of appliedSet)
          if (JSON.stringify(valueAt(live, p)) !== JSON.stringify(valueAt(applied, p))) o.set.delete(p);
    }
  }
  const base = live
    ? structuredClone(live)
    : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
  const merged = strategicMerge(base, applied) as KubeObject;
  const previous = managed.find((e) => same(e, opts.manager, "Apply", opts.subresource));
  if (previous) {
    for (const p of fromFieldsV1(previous.fieldsV1)) {
      if (appliedSet.has(p) || otherSets.some((o) => o.set.has(p))) continue;
      removeAt(merged, p);
    }
  }
  const entries: ManagedFieldsEntry[] = otherSets
    .filter((o) => o.set.size > 0)
    .map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.set) }));
  entries.push({
    manager: opts.manager,
    operation: "Apply",
    apiVersion: applied.apiVersion,
    time: stamp(opts.now),
    fieldsType: "FieldsV1",
    fieldsV1: toFieldsV1(appliedSet),
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
  });
  merged.metadata.managedFields = entries;
  return merged;
}

export function updateManagedFields(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  manager: string,
  operation: "Update",
  opts: { subresource?: string; now?: Date } = {},
): void {
  const changed: FieldSet = changedFields(oldObj, newObj);
  const managed = oldObj ? (oldObj.metadata.managedFields ?? []) : [];
  const entries: ManagedFieldsEntry[] = [];
  let mine: FieldSet = new Set();
  let mineEntry: ManagedFieldsEntry | undefined;
  for (const e of managed) {
    const set = fromFieldsV1(e.fieldsV1);
    if (same(e, manager, operation, opts.subresource)) {
      mine = set;
      mineEntry = e;
      continue;
    }
    for (const p of changed) set.delete(p);
    if (set.size > 0) entries.push({ ...e, fieldsV1: toFieldsV1(set) });
  }
  for (const p of changed) mine.add(p);
  // Fields that no longer exist are owned by no one.
  for (const p of [...mine]) if (valueAt(newObj, p) === undefined) mine.delete(p);
  if (mine.size > 0) {
    const time = changed.size > 0 || !mineEntry?.time ? stamp(opts.now ?? new Date()) : mineEntry.time;
    entries.push({
      manager,
      operation,
      apiVersion: newObj.apiVersion,
      time,
      fieldsType: "FieldsV1",
      fieldsV1: toFieldsV1(mine),
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    });
  }
  if (entries.length > 0) newObj.metadata.managedFields = entries;
  else delete newObj.metadata.managedFields;
}
