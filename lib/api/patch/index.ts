import jsonpatch from "fast-json-patch";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../types.ts";
import { serverSideApply, updateManagedFields } from "./apply.ts";
import { PatchError } from "./errors.ts";
import { isObject } from "./merge-keys.ts";
import { strategicMerge } from "./strategic.ts";

// The four patch types the apiserver accepts.

export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface PatchOptions {
  fieldManager?: string;
  force?: boolean;
  subresource?: string;
  strategic: boolean;
  now?: Date;
}

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

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (e) {
    throw new PatchError(400, "BadRequest", `error decoding patch: ${(e as Error).message}`);
  }
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function applyPatch(
  live: KubeObject | undefined,
  body: string,
  type: PatchType,
  opts: PatchOptions,
): KubeObject {
  if (type !== "apply" && !live) throw new PatchError(404, "NotFound", "the object to patch does not exist");
  switch (type) {
    case "json": {
      const ops = parseJson(body);
      if (!Array.isArray(ops))
        throw new PatchError(400, "BadRequest", "a JSON patch must be an array of operations");
      try {
        return jsonpatch.applyPatch(structuredClone(live), ops as jsonpatch.Operation[], true, false)
          .newDocument as KubeObject;
      } catch (e) {
        const err = e as { name?: string; message: string; operation?: unknown };
        const detail =
          err.name === "TEST_OPERATION_FAILED" ? "the test operation failed" : err.message.split("\n")[0];
        throw new PatchError(
          422,
          "Invalid",
          `the server rejected our request due to an error in our request: ${detail}${err.operation ? ` (operation ${JSON.stringify(err.operation)})` : ""}`,
        );
      }
    }
    case "merge": {
      const p = parseJson(body);
      if (!isObject(p)) throw new PatchError(400, "BadRequest", "a merge patch must be a JSON object");
      return mergePatch(structuredClone(live), p) as KubeObject;
    }
    case "strategic": {
      if (!opts.strategic) {
        throw new PatchError(
          415,
          "UnsupportedMediaType",
          "strategic merge patch is not supported for custom resources: use a merge or JSON patch",
        );
      }
      const p = parseJson(body);
      if (!isObject(p))
        throw new PatchError(400, "BadRequest", "a strategic merge patch must be a JSON object");
      return strategicMerge(structuredClone(live), p) as KubeObject;
    }
    case "apply": {
      let applied: unknown;
      try {
        applied = parseYaml(body);
      } catch (e) {
        throw new PatchError(400, "BadRequest", `error decoding YAML: ${(e as Error).message}`);
      }
      if (!isObject(applied))
        throw new PatchError(400, "BadRequest", "an apply configuration must be an object");
      const obj = applied as KubeObject;
      if (!obj.apiVersion || !obj.kind)
        throw new PatchError(400, "BadRequest", "apiVersion and kind must be set in an apply configuration");
      if (live && (obj.kind !== live.kind || obj.apiVersion !== live.apiVersion)) {
        throw new PatchError(
          400,
          "BadRequest",
          `the apply configuration is a ${obj.apiVersion}/${obj.kind}, the object is a ${live.apiVersion}/${live.kind}`,
        );
      }
      obj.metadata ??= {};
      return serverSideApply(live, obj, {
        manager: opts.fieldManager ?? "unknown",
        force: Boolean(opts.force),
        subresource: opts.subresource,
        now: opts.now ?? new Date(),
      });
    }
  }
}
