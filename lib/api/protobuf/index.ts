import type { JsonObject } from "../types.ts";
import { messages } from "./schema.ts";
import { ProtoError, readFields, toSigned, type WireField } from "./wire.ts";

// Decodes the `application/vnd.kubernetes.protobuf` request bodies that kubectl's typed clients send (the
// `kubectl create <generator>` commands): a "k8s\0" magic, a runtime.Unknown envelope carrying the TypeMeta,
// and the object's own message. Kinds without a schema here are refused with 415 by the caller.

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

export { ProtoError };

export function isKubernetesProtobuf(body: Uint8Array): boolean {
  return body.length >= 4 && MAGIC.every((b, i) => body[i] === b);
}

export function canDecodeKind(kind: string): boolean {
  return kind in messages;
}

const text = new TextDecoder();
/** Non-pointer integers whose JSON tags say omitempty (pointer fields are only encoded when set). */
const OMIT_ZERO = new Set(["generation", "hostPort", "nodePort", "healthCheckNodePort", "minReadySeconds"]);

export function decodeKubernetesProtobuf(body: Uint8Array): JsonObject {
  if (!isKubernetesProtobuf(body)) throw new ProtoError("missing the k8s protobuf prefix");
  const envelope = readFields(body.subarray(4));
  let apiVersion = "";
  let kind = "";
  let raw: Uint8Array | undefined;
  for (const f of envelope) {
    if (f.no === 1 && f.bytes) {
      for (const t of readFields(f.bytes)) {
        if (t.no === 1 && t.bytes) apiVersion = text.decode(t.bytes);
        if (t.no === 2 && t.bytes) kind = text.decode(t.bytes);
      }
    } else if (f.no === 2 && f.bytes) raw = f.bytes;
  }
  if (!kind || !raw) throw new ProtoError("the protobuf envelope holds no object");
  if (!canDecodeKind(kind))
    throw new ProtoError(`protobuf bodies of kind ${kind} are not supported; send JSON`);
  return { apiVersion, kind, ...decodeMessage(raw, kind) };
}

function scalar(type: string, f: WireField): unknown {
  switch (type) {
    case "string":
      return f.bytes ? text.decode(f.bytes) : "";
    case "bytes":
      return f.bytes ? Buffer.from(f.bytes).toString("base64") : "";
    case "bool":
      return f.varint !== undefined && f.varint !== 0n;
    case "int32":
      return toSigned(f.varint ?? 0n, 32);
    case "int64":
      return toSigned(f.varint ?? 0n, 64);
    default:
      return f.bytes ? decodeMessage(f.bytes, type) : {};
  }
}

/** Converts the special messages to their JSON forms (Time → RFC 3339, IntOrString, Quantity). */
function finish(type: string, v: unknown): unknown {
  const o = v as Record<string, unknown>;
  if (type === "Time" && !o.seconds) return null;
  if (type === "Time") return new Date(Number(o.seconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (type === "IntOrString") return Number(o.type ?? 0) === 1 ? (o.strVal ?? "") : (o.intVal ?? 0);
  if (type === "Quantity") return o.string ?? "0";
  return v;
}

function decodeMessage(buf: Uint8Array, type: string): JsonObject {
  const spec = messages[type];
  if (!spec) throw new ProtoError(`no protobuf schema for ${type}`);
  const out: JsonObject = {};
  for (const f of readFields(buf)) {
    const field = spec[f.no];
    if (!field) continue; // unknown fields are dropped, as the apiserver's decoder does
    const [name, t] = field;
    if (t.startsWith("map:")) {
      const valueType = t.slice(4);
      let key = "";
      let value: unknown = valueType === "string" || valueType === "bytes" ? "" : {};
      for (const e of readFields(f.bytes ?? new Uint8Array())) {
        if (e.no === 1 && e.bytes) key = text.decode(e.bytes);
        if (e.no === 2) value = finish(valueType, scalar(valueType, e));
      }
      out[name] = { ...((out[name] as JsonObject) ?? {}), [key]: value };
    } else if (t.startsWith("[]")) {
      const elem = t.slice(2);
      (out[name] ??= []) as unknown[];
      (out[name] as unknown[]).push(finish(elem, scalar(elem, f)));
    } else {
      const v = finish(t, scalar(t, f));
      // Go encodes unset non-pointer strings and bools; their JSON form omits them (omitempty).
      if (v === "" || v === false || v === null || (v === 0 && OMIT_ZERO.has(name))) continue;
      out[name] = v;
    }
  }
  return out;
}
