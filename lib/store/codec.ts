import { gunzipSync, gzipSync, constants as zlib } from "node:zlib";
import type { KubeObject } from "../api/types.ts";

// Bodies are stored gzip-compressed: Kubernetes objects are repetitive JSON, so this cuts both item size
// (DynamoDB's 400 KB item limit) and the read/write units every list and watch pays for.

/** Kubernetes' own limit on one object (etcd's default max request size). */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
/** Largest compressed body kept inline in the object item; leaves room for keys and attributes. */
export const MAX_INLINE_BYTES = 350 * 1024;
export const CHUNK_BYTES = 350 * 1024;

export class ObjectTooLargeError extends Error {
  constructor(public readonly size: number) {
    super(`object is too large: ${size} bytes exceeds the limit of ${MAX_OBJECT_BYTES} bytes`);
  }
}

export function encodeBody(obj: KubeObject): Uint8Array {
  const json = Buffer.from(JSON.stringify(obj));
  if (json.length > MAX_OBJECT_BYTES) throw new ObjectTooLargeError(json.length);
  // Level 1 is nearly as small as the default for JSON and several times faster on the write path.
  return gzipSync(json, { level: json.length > 64 * 1024 ? zlib.Z_BEST_SPEED : 6 });
}

export function decodeBody(bytes: Uint8Array): KubeObject {
  return JSON.parse(gunzipSync(bytes).toString("utf8")) as KubeObject;
}

export function splitChunks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK_BYTES) out.push(bytes.subarray(i, i + CHUNK_BYTES));
  return out;
}

export function joinChunks(chunks: Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}
