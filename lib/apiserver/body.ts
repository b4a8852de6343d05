import { parseAllDocuments } from "yaml";
import { depthError } from "../api/depth.ts";
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtoError } from "../api/protobuf/index.ts";
import { errors } from "../api/status.ts";
import type { JsonObject, KubeObject } from "../api/types.ts";

/** The apiserver's own request body limit (it is larger than the 1.5 MiB object limit the store enforces). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: Request): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge(declared);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge(size);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(size: number) {
  return errors.tooLarge(
    `the request body of ${size} bytes is too large: the limit is ${MAX_BODY_BYTES} bytes`,
  );
}

/** Decodes a JSON, YAML or Kubernetes-protobuf request body into one object. */
export function decodeBody(bytes: Buffer, contentType: string): JsonObject {
  if (/protobuf/i.test(contentType) || isKubernetesProtobuf(bytes)) {
    try {
      return decodeKubernetesProtobuf(bytes);
    } catch (e) {
      if (e instanceof ProtoError)
        throw errors.unsupportedMediaType(`cannot decode the protobuf body: ${e.message}`);
      throw e;
    }
  }
  const text = bytes.toString("utf8");
  if (text.trim() === "") throw errors.badRequest("the request body is empty: an object is required");
  const yaml = /yaml/i.test(contentType);
  let value: unknown;
  if (yaml) {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    const firstError = list.flatMap((d) => d.errors)[0];
    if (firstError) throw errors.badRequest(`error converting YAML to JSON: ${firstError.message}`);
    if (list.length !== 1)
      throw errors.badRequest(`the request body must hold exactly one YAML document, got ${list.length}`);
    try {
      value = list[0].toJS();
    } catch (e) {
      // Aliases to missing anchors, and alias bombs, fail here rather than in the parser.
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw errors.badRequest("the request body must be a JSON or YAML object");
  }
  const deep = depthError(value);
  if (deep) throw errors.badRequest(`couldn't decode the request body: ${deep}`);
  return value as JsonObject;
}

/** Checks the body names the kind the URL addresses, like the apiserver's decoder does. */
export function checkTypeMeta(obj: JsonObject, apiVersion: string, kind: string): KubeObject {
  // kube's decoder fills what the body leaves out from the URL's group, version and kind (gvkWithDefaults):
  // clients such as the Python one send models without apiVersion and kind.
  if (obj.kind === undefined || obj.kind === "" || obj.kind === null) obj.kind = kind;
  if (obj.apiVersion === undefined || obj.apiVersion === "" || obj.apiVersion === null)
    obj.apiVersion = apiVersion;
  const gotKind = obj.kind;
  const gotVersion = obj.apiVersion;
  if (
    typeof gotKind !== "string" ||
    typeof gotVersion !== "string" ||
    gotKind !== kind ||
    gotVersion !== apiVersion
  ) {
    throw errors.badRequest(
      `the API version in the data (${String(gotVersion)}) does not match the expected API version (${apiVersion})` +
        (gotKind !== kind
          ? `, and the kind in the data (${String(gotKind)}) does not match the expected kind (${kind})`
          : ""),
    );
  }
  const meta = obj.metadata;
  if (meta !== undefined && (meta === null || typeof meta !== "object" || Array.isArray(meta))) {
    throw errors.badRequest("metadata must be an object");
  }
  if (meta === undefined) obj.metadata = {};
  return obj as KubeObject;
}

/** JSON null means "unset" to the apiserver's decoder (e.g. creationTimestamp: null in a template). */
export function dropNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map(dropNulls) as T;
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) if (val !== null) out[k] = dropNulls(val);
    return out as T;
  }
  return v;
}
