import { parseAllDocuments } from "yaml";
import { depthError } from "../depth.ts";
import type { KubeObject } from "../types.ts";
import { serverSideApply, updateManagedFields } from "./apply.ts";
import { PatchError } from "./errors.ts";
import { jsonPatch, mergePatch, parseJson } from "./json.ts";
import { isObject } from "./merge-keys.ts";
import { strategicMerge } from "./strategic.ts";

// The four patch types the apiserver accepts, and managedFields bookkeeping for ordinary writes.

export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface PatchOptions {
  /** Required for apply (400 without it). */
  fieldManager?: string;
  /** Apply: take over conflicting fields instead of failing with 409. */
  force?: boolean;
  /** "status", "scale"...: recorded in managedFields; apply to "status" manages status fields only. */
  subresource?: string;
  /** False for custom resources: strategic merge patch needs the Go types' merge metadata (415). */
  strategic: boolean;
  now?: Date;
}

export type { PatchCause } from "./errors.ts";
export { mergePatch } from "./json.ts";
export { strategicMerge } from "./strategic.ts";
export { PatchError, updateManagedFields };

export function patchTypeFromContentType(ct: string): PatchType | undefined {
  const base = ct.split(";")[0].trim().toLowerCase();
  switch (base) {
    case "application/json-patch+json":
      return "json";
    case "application/merge-patch+json":
      return "merge";
    case "application/strategic-merge-patch+json":
      return "strategic";
    case "application/apply-patch+yaml":
    case "application/apply-patch+json":
      return "apply";
    default:
      return undefined;
  }
}

function parseApply(body: string): KubeObject {
  let applied: unknown;
  try {
    const docs = [...parseAllDocuments(body)];
    for (const d of docs) if (d.errors.length > 0) throw d.errors[0];
    const real = docs.filter((d) => d.contents !== null);
    if (real.length > 1) throw new Error("an apply configuration must be a single YAML document");
    applied = real.length === 0 ? null : real[0].toJS();
    const deep = depthError(applied);
    if (deep) throw new Error(deep);
  } catch (e) {
    throw new PatchError(400, "BadRequest", `error decoding YAML: ${(e as Error).message}`);
  }
  if (!isObject(applied)) {
    throw new PatchError(400, "BadRequest", "error decoding YAML: the apply configuration must be an object");
  }
  return applied as KubeObject;
}

/**
 * Applies a patch of `type` to `live` and returns the patched object; `live` is never modified. `live` is
 * undefined only for an apply that creates the object. Apply also computes metadata.managedFields; for the
 * other types call updateManagedFields afterwards.
 */
export function applyPatch(
  live: KubeObject | undefined,
  body: string,
  type: PatchType,
  opts: PatchOptions,
): KubeObject {
  if (type !== "apply" && !live) throw new PatchError(404, "NotFound", "the object to patch does not exist");
  switch (type) {
    case "json":
      return jsonPatch(live!, body) as KubeObject;
    case "merge": {
      const p = parseJson(body, "merge patch");
      if (!isObject(p)) throw new PatchError(400, "BadRequest", "a merge patch must be a JSON object");
      return mergePatch(structuredClone(live), p) as KubeObject;
    }
    case "strategic": {
      if (!opts.strategic) {
        throw new PatchError(
          415,
          "UnsupportedMediaType",
          "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
        );
      }
      const p = parseJson(body, "strategic merge patch");
      if (!isObject(p)) {
        throw new PatchError(400, "BadRequest", "a strategic merge patch must be a JSON object");
      }
      return strategicMerge(live!, p) as KubeObject;
    }
    case "apply": {
      const obj = parseApply(body);
      if (
        typeof obj.apiVersion !== "string" ||
        !obj.apiVersion ||
        typeof obj.kind !== "string" ||
        !obj.kind
      ) {
        throw new PatchError(
          400,
          "BadRequest",
          "Object 'Kind' is missing or 'apiVersion' is missing in the apply configuration",
        );
      }
      if (live && (obj.kind !== live.kind || obj.apiVersion !== live.apiVersion)) {
        throw new PatchError(
          400,
          "BadRequest",
          `the apply configuration is a ${obj.apiVersion}, Kind=${obj.kind} but the object is a ${live.apiVersion}, Kind=${live.kind}`,
        );
      }
      if (!opts.fieldManager) {
        throw new PatchError(
          400,
          "BadRequest",
          "PATCH, application/apply-patch+yaml requires fieldManager to be set",
        );
      }
      return serverSideApply(live, obj, {
        manager: opts.fieldManager,
        force: Boolean(opts.force),
        subresource: opts.subresource,
        now: opts.now ?? new Date(),
      });
    }
    default:
      throw new PatchError(415, "UnsupportedMediaType", `unsupported patch type ${String(type)}`);
  }
}
