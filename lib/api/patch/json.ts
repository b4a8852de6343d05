import jsonpatch from "fast-json-patch";
import { depthError } from "../depth.ts";
import type { JsonObject } from "../types.ts";
import { PatchError } from "./errors.ts";
import { isObject } from "./merge-keys.ts";

// JSON patch (RFC 6902, application/json-patch+json) and JSON merge patch (RFC 7386,
// application/merge-patch+json).

export function parseJson(body: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw new PatchError(400, "BadRequest", `error decoding ${what}: ${(e as Error).message}`);
  }
  const deep = depthError(value);
  if (deep) throw new PatchError(400, "BadRequest", `error decoding ${what}: ${deep}`);
  return value;
}

/** Applies an RFC 6902 patch to a copy of `doc`. A failing operation is a 422 naming the operation. */
export function jsonPatch(doc: JsonObject, body: string): JsonObject {
  const ops = parseJson(body, "JSON patch");
  if (!Array.isArray(ops)) {
    throw new PatchError(400, "BadRequest", "a JSON patch must be an array of operations");
  }
  let doc2: unknown = structuredClone(doc);
  for (let i = 0; i < ops.length; i++) {
    try {
      doc2 = jsonpatch.applyOperation(doc2, ops[i] as jsonpatch.Operation, true, true, true, i).newDocument;
    } catch (e) {
      if (!(e instanceof jsonpatch.JsonPatchError)) throw e;
      throw new PatchError(422, "Invalid", describeFailure(e, i, ops[i]));
    }
  }
  if (!isObject(doc2)) throw new PatchError(422, "Invalid", "the JSON patch did not produce an object");
  return doc2;
}

function describeFailure(
  e: InstanceType<typeof jsonpatch.JsonPatchError>,
  index: number,
  raw: unknown,
): string {
  const op = (isObject(raw) ? raw : {}) as Record<string, unknown>;
  const kind = typeof op.op === "string" ? op.op : "?";
  const path = typeof op.path === "string" ? op.path : "";
  const where = ` (operation ${index}: ${JSON.stringify(raw)})`;
  let detail: string;
  switch (e.name) {
    case "TEST_OPERATION_FAILED":
      detail = `testing value ${path} failed: test failed`;
      break;
    case "OPERATION_PATH_UNRESOLVABLE":
      detail = `${kind} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
      break;
    case "OPERATION_FROM_UNRESOLVABLE":
      detail = `${kind} operation does not apply: doc is missing from path: ${JSON.stringify(op.from)}: missing value`;
      break;
    case "OPERATION_PATH_CANNOT_ADD":
      detail = `add operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
      break;
    case "OPERATION_VALUE_OUT_OF_BOUNDS":
    case "OPERATION_PATH_ILLEGAL_ARRAY_INDEX":
      detail = `${kind} operation does not apply: ${JSON.stringify(path)}: ${e.message.split("\n")[0]}`;
      break;
    case "OPERATION_OP_INVALID":
      detail = `Unexpected kind: ${kind}`;
      break;
    default:
      detail = `invalid ${kind} operation: ${e.message.split("\n")[0]}`;
  }
  return `${detail}${where}`;
}

/** RFC 7386: objects merge recursively, null deletes, anything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
