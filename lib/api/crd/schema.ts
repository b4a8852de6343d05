import { isIPv4, isIPv6 } from "node:net";
import { formatValue } from "../kinds/meta.ts";
import type { FieldError } from "../types.ts";

// Validation, defaulting and pruning against a CRD's structural openAPIV3Schema, worded like the
// apiextensions-apiserver (kube-openapi's validate package as converted by apiextensions' ValidateCustomResource).

export interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  nullable?: boolean;
  default?: unknown;
  format?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  [k: string]: unknown;
}

/** The standard ObjectMeta fields; everything else under metadata is dropped. */
export const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The JSON type name kube-openapi reports for a value. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case "object":
      return isObj(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    default:
      return true;
  }
}

const err = (type: FieldError["type"], field: string, message: string): FieldError => ({
  type,
  field,
  message,
});
const invalid = (path: string, value: unknown, detail: string) =>
  err("FieldValueInvalid", path, `Invalid value: ${formatValue(value)}: ${detail}`);
const typeInvalid = (path: string, value: unknown, detail: string) =>
  err("FieldValueTypeInvalid", path, `Invalid value: ${formatValue(value)}: ${detail}`);
/** kube-openapi names the body root `.`; nested fields by their dotted path. */
const where = (path: string) => `${path || "."} in body`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const DURATION = /^([+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

/** The string formats the apiextensions apiserver checks (others are accepted as-is). */
function formatOk(format: string, v: string): boolean {
  switch (format) {
    case "date":
      return DATE.test(v) && !Number.isNaN(Date.parse(v));
    case "date-time":
    case "datetime":
      return DATE_TIME.test(v) && !Number.isNaN(Date.parse(v.replace(" ", "T")));
    case "uuid":
    case "uuid3":
    case "uuid4":
    case "uuid5":
      return UUID.test(v);
    case "byte":
      return BASE64.test(v);
    case "ipv4":
      return isIPv4(v);
    case "ipv6":
      return isIPv6(v);
    case "cidr": {
      const [ip, bits, ...rest] = v.split("/");
      if (rest.length || bits === undefined || !/^\d+$/.test(bits)) return false;
      return (isIPv4(ip) && Number(bits) <= 32) || (isIPv6(ip) && Number(bits) <= 128);
    }
    case "hostname":
      return HOSTNAME.test(v);
    case "email":
      return EMAIL.test(v);
    case "duration":
      return DURATION.test(v);
    case "mac":
      return MAC.test(v);
    default:
      return true;
  }
}

/** Go's %#v of a decoded JSON map (what field.Duplicate prints for list-map keys). */
function goMap(m: Record<string, unknown>): string {
  const parts = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${typeof m[k] === "string" ? JSON.stringify(m[k]) : String(m[k])}`);
  return `map[string]interface {}{${parts.join(", ")}}`;
}

export function validateValue(s: Schema | undefined, v: unknown, path: string, out: FieldError[]): void {
  if (!s) return;
  if (v === null || v === undefined) {
    if (!s.nullable && s.type)
      out.push(typeInvalid(path, "null", `${where(path)} must be of type ${s.type}: "null"`));
    return;
  }
  // Type.
  if (s["x-kubernetes-int-or-string"]) {
    if (typeof v !== "string" && !(typeof v === "number" && Number.isInteger(v))) {
      out.push(
        typeInvalid(path, typeName(v), `${where(path)} must be of type integer,string: "${typeName(v)}"`),
      );
      return;
    }
  } else if (s.type && !typeMatches(s.type, v)) {
    out.push(typeInvalid(path, typeName(v), `${where(path)} must be of type ${s.type}: "${typeName(v)}"`));
    return;
  }
  if (s["x-kubernetes-embedded-resource"] && isObj(v)) {
    if (!Object.hasOwn(v, "apiVersion"))
      out.push(err("FieldValueRequired", `${path}.apiVersion`, "Required value: must not be empty"));
    if (!Object.hasOwn(v, "kind"))
      out.push(err("FieldValueRequired", `${path}.kind`, "Required value: must not be empty"));
  }
  // Strings.
  if (typeof v === "string") {
    const len = [...v].length;
    if (s.minLength !== undefined && len < s.minLength)
      out.push(invalid(path, v, `${where(path)} should be at least ${s.minLength} chars long`));
    if (s.maxLength !== undefined && len > s.maxLength)
      out.push(
        err(
          "FieldValueTooLong",
          path,
          `Too long: may not be more than ${s.maxLength} ${s.maxLength === 1 ? "byte" : "bytes"}`,
        ),
      );
    if (s.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern, "u");
      } catch {
        re = undefined;
      }
      if (re && !re.test(v)) out.push(invalid(path, v, `${where(path)} should match '${s.pattern}'`));
    }
    if (s.format && !formatOk(s.format, v))
      out.push(typeInvalid(path, v, `${where(path)} must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
  // Numbers.
  if (typeof v === "number") {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
      out.push(
        invalid(
          path,
          v,
          `${where(path)} should be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${s.minimum}`,
        ),
      );
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
      out.push(
        invalid(
          path,
          v,
          `${where(path)} should be less than ${s.exclusiveMaximum ? "" : "or equal to "}${s.maximum}`,
        ),
      );
    if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf))
      out.push(invalid(path, v, `${where(path)} should be a multiple of ${s.multipleOf}`));
    if (s.format === "int32" && Number.isInteger(v) && (v > 2147483647 || v < -2147483648))
      out.push(typeInvalid(path, v, `${where(path)} must be of type int32: "${v}"`));
  }
  // Arrays.
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems)
      out.push(invalid(path, v.length, `${where(path)} should have at least ${s.minItems} items`));
    if (s.maxItems !== undefined && v.length > s.maxItems)
      out.push(
        err(
          "FieldValueTooMany",
          path,
          `Too many: ${v.length}: must have at most ${s.maxItems} ${s.maxItems === 1 ? "item" : "items"}`,
        ),
      );
    v.forEach((e, i) => {
      validateValue(s.items, e, `${path}[${i}]`, out);
    });
    const listType = s["x-kubernetes-list-type"];
    if (listType === "set") {
      const seen = new Set<string>();
      v.forEach((e, i) => {
        const k = JSON.stringify(e);
        if (seen.has(k))
          out.push(err("FieldValueDuplicate", `${path}[${i}]`, `Duplicate value: ${formatValue(e)}`));
        seen.add(k);
      });
    } else if (listType === "map") {
      const keys = s["x-kubernetes-list-map-keys"] ?? [];
      const seen = new Set<string>();
      v.forEach((e, i) => {
        if (!isObj(e)) return;
        const km: Record<string, unknown> = {};
        for (const k of keys) if (e[k] !== undefined) km[k] = e[k];
        const id = JSON.stringify(keys.map((k) => e[k]));
        if (seen.has(id))
          out.push(err("FieldValueDuplicate", `${path}[${i}]`, `Duplicate value: ${goMap(km)}`));
        seen.add(id);
      });
    }
  }
  // Enum (after the type and value checks, as kube-openapi orders its validators).
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    const supported = s.enum.map((e) => JSON.stringify(typeof e === "string" ? e : JSON.stringify(e)));
    out.push(
      err(
        "FieldValueNotSupported",
        path,
        `Unsupported value: ${formatValue(v)}: supported values: ${supported.join(", ")}`,
      ),
    );
  }
  // Objects.
  if (isObj(v)) {
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties)
      out.push(
        err(
          "FieldValueTooMany",
          path,
          `Too many: ${n}: must have at most ${s.maxProperties} ${s.maxProperties === 1 ? "item" : "items"}`,
        ),
      );
    if (s.minProperties !== undefined && n < s.minProperties)
      out.push(invalid(path, n, `${where(path)} should have at least ${s.minProperties} properties`));
    for (const r of s.required ?? [])
      if (!Object.hasOwn(v, r))
        out.push(err("FieldValueRequired", path ? `${path}.${r}` : r, "Required value"));
    for (const [k, child] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      if (s.properties && Object.hasOwn(s.properties, k)) validateValue(s.properties[k], child, p, out);
      else if (isObj(s.additionalProperties)) validateValue(s.additionalProperties, child, p, out);
    }
  }
}

/**
 * Structural defaulting: fills in `default` for absent fields (and for nulls in non-nullable fields), recursing
 * into properties, additionalProperties and array items; nulls in non-nullable fields without a default are
 * dropped, as the apiserver does before validation.
 */
export function applyDefaults(s: Schema | undefined, v: unknown): void {
  if (!s || v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    for (const e of v) applyDefaults(s.items, e);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const [k, child] of Object.entries(s.properties ?? {})) {
    const absent = !Object.hasOwn(o, k) || o[k] === undefined;
    if ((absent || (o[k] === null && !child.nullable)) && child.default !== undefined)
      o[k] = structuredClone(child.default);
    else if (o[k] === null && !child.nullable) delete o[k];
    if (Object.hasOwn(o, k)) applyDefaults(child, o[k]);
  }
  if (isObj(s.additionalProperties)) {
    const ap = s.additionalProperties;
    for (const k of Object.keys(o)) {
      if (s.properties && Object.hasOwn(s.properties, k)) continue;
      if (o[k] === null && !ap.nullable) {
        if (ap.default !== undefined) o[k] = structuredClone(ap.default);
        else delete o[k];
      }
      applyDefaults(ap, o[k]);
    }
  }
}

/** Drops non-standard fields from an (embedded) ObjectMeta, reporting them. */
function pruneMeta(meta: unknown, path: string, out: string[], remove: boolean): void {
  if (!isObj(meta)) return;
  for (const k of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(k)) continue;
    out.push(`${path}.${k}`);
    if (remove) delete meta[k];
  }
}

/** Paths of undeclared fields; with `remove`, deletes them (structural pruning). */
export function unknownPaths(
  s: Schema | undefined,
  v: unknown,
  path: string,
  out: string[],
  remove: boolean,
): void {
  if (!s || v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    if (s["x-kubernetes-preserve-unknown-fields"] && !s.items) return;
    v.forEach((e, i) => {
      unknownPaths(s.items, e, `${path}[${i}]`, out, remove);
    });
    return;
  }
  const o = v as Record<string, unknown>;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  for (const k of Object.keys(o)) {
    const p = path ? `${path}.${k}` : k;
    if (embedded && (k === "apiVersion" || k === "kind")) continue;
    if (embedded && k === "metadata") {
      pruneMeta(o[k], p, out, remove);
      continue;
    }
    const child =
      s.properties && Object.hasOwn(s.properties, k)
        ? s.properties[k]
        : isObj(s.additionalProperties)
          ? s.additionalProperties
          : undefined;
    if (child) unknownPaths(child, o[k], p, out, remove);
    else if (!preserve && s.additionalProperties !== true) {
      out.push(p);
      if (remove) delete o[k];
    }
  }
}

/**
 * The structural-schema checks the apiextensions apiserver makes on a CRD version's schema (the common ones):
 * a type everywhere outside x-kubernetes-int-or-string / x-kubernetes-preserve-unknown-fields, object at the root,
 * defaults that validate, and only name/generateName under metadata.
 */
export function structuralErrors(s: unknown, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!isObj(s)) return [invalid(path, s, "must be an object")];
  if (s.type !== "object") out.push(invalid(`${path}.type`, s.type ?? "", "must be object at the root"));
  walkStructural(s as Schema, path, out, true);
  const meta = (s as Schema).properties?.metadata;
  if (meta) {
    const extra = Object.keys(meta).filter((k) => !["type", "properties", "description"].includes(k));
    const props = Object.keys(meta.properties ?? {}).filter((k) => k !== "name" && k !== "generateName");
    if (extra.length || props.length || (meta.type !== undefined && meta.type !== "object"))
      out.push(
        err(
          "FieldValueForbidden",
          `${path}.properties[metadata]`,
          "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
        ),
      );
  }
  return out;
}

const TYPES = ["array", "boolean", "integer", "number", "object", "string"];

function walkStructural(s: Schema, path: string, out: FieldError[], root: boolean): void {
  if (s.type !== undefined && !TYPES.includes(s.type))
    out.push(
      err(
        "FieldValueNotSupported",
        `${path}.type`,
        `Unsupported value: ${formatValue(s.type)}: supported values: ${TYPES.map((t) => `"${t}"`).join(", ")}`,
      ),
    );
  if (s.type === "array" && !s.items && !s["x-kubernetes-preserve-unknown-fields"])
    out.push(err("FieldValueRequired", `${path}.items`, "Required value: must be specified"));
  if (s.default !== undefined && !root) {
    const errs: FieldError[] = [];
    // Like the apiserver, the default is itself defaulted (nested defaults) before it is validated.
    const holder = { v: structuredClone(s.default) };
    applyDefaults({ type: "object", properties: { v: s } }, holder);
    validateValue(s, holder.v, "", errs);
    for (const e of errs) out.push({ ...e, field: `${path}.default${e.field ? `.${e.field}` : ""}` });
  }
  const untypedOk = (c: Schema) =>
    c["x-kubernetes-int-or-string"] || c["x-kubernetes-preserve-unknown-fields"];
  // Every child schema needs a type, unless it is int-or-string or keeps unknown fields.
  const children: [Schema, string, string][] = [];
  for (const [k, c] of Object.entries(s.properties ?? {})) {
    if (isObj(c)) children.push([c, `${path}.properties[${k}]`, "object fields"]);
  }
  if (isObj(s.additionalProperties))
    children.push([s.additionalProperties, `${path}.additionalProperties`, "object fields"]);
  if (isObj(s.items)) children.push([s.items, `${path}.items`, "array items"]);
  for (const [c, p, what] of children) {
    if (c.type === undefined && !untypedOk(c)) {
      out.push(
        err("FieldValueRequired", `${p}.type`, `Required value: must not be empty for specified ${what}`),
      );
    }
    walkStructural(c, p, out, false);
  }
}
