import { formatValue } from "../kinds/meta.ts";
import type { FieldError } from "../types.ts";

// Validation, defaulting and pruning against a CRD's structural openAPIV3Schema, worded like the
// apiextensions-apiserver (kube-openapi's validate package).

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  nullable?: boolean;
  default?: unknown;
  format?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  [k: string]: unknown;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case "object":
      return typeName(v) === "object";
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

export function validateValue(s: Schema | undefined, v: unknown, path: string, out: FieldError[]): void {
  if (!s) return;
  if (v === null) {
    if (!s.nullable && s.type)
      out.push({
        type: "FieldValueTypeInvalid",
        field: path,
        message: `Invalid value: "null": ${path} in body must be of type ${s.type}: "null"`,
      });
    return;
  }
  if (s["x-kubernetes-int-or-string"]) {
    if (typeof v !== "string" && !(typeof v === "number" && Number.isInteger(v))) {
      out.push({
        type: "FieldValueTypeInvalid",
        field: path,
        message: `Invalid value: ${formatValue(v)}: ${path} in body must be of type integer or string: "${typeName(v)}"`,
      });
    }
    return;
  }
  if (s.type && !typeMatches(s.type, v)) {
    out.push({
      type: "FieldValueTypeInvalid",
      field: path,
      message: `Invalid value: "${typeName(v)}": ${path} in body must be of type ${s.type}: "${typeName(v)}"`,
    });
    return;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    out.push({
      type: "FieldValueNotSupported",
      field: path,
      message: `Unsupported value: ${formatValue(v)}: supported values: ${s.enum.map((e) => formatValue(e)).join(", ")}`,
    });
  }
  if (typeof v === "number") {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
      out.push({
        type: "FieldValueInvalid",
        field: path,
        message: `Invalid value: ${v}: ${path} in body should be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${s.minimum}`,
      });
    }
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
      out.push({
        type: "FieldValueInvalid",
        field: path,
        message: `Invalid value: ${v}: ${path} in body should be less than ${s.exclusiveMaximum ? "" : "or equal to "}${s.maximum}`,
      });
    }
  }
  if (typeof v === "string") {
    if (s.minLength !== undefined && [...v].length < s.minLength) {
      out.push({
        type: "FieldValueInvalid",
        field: path,
        message: `Invalid value: ${formatValue(v)}: ${path} in body should be at least ${s.minLength} chars long`,
      });
    }
    if (s.maxLength !== undefined && [...v].length > s.maxLength) {
      out.push({
        type: "FieldValueTooLong",
        field: path,
        message: `Too long: may not be more than ${s.maxLength} bytes`,
      });
    }
    if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(v)) {
      out.push({
        type: "FieldValueInvalid",
        field: path,
        message: `Invalid value: ${formatValue(v)}: ${path} in body should match '${s.pattern}'`,
      });
    }
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems)
      out.push({
        type: "FieldValueInvalid",
        field: path,
        message: `Invalid value: ${v.length}: ${path} in body should have at least ${s.minItems} items`,
      });
    if (s.maxItems !== undefined && v.length > s.maxItems)
      out.push({
        type: "FieldValueTooMany",
        field: path,
        message: `Too many: ${v.length}: must have at most ${s.maxItems} items`,
      });
    v.forEach((e, i) => validateValue(s.items, e, `${path}[${i}]`, out));
  }
  if (typeName(v) === "object") {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? [])
      if (o[r] === undefined)
        out.push({ type: "FieldValueRequired", field: path ? `${path}.${r}` : r, message: "Required value" });
    for (const [k, child] of Object.entries(o)) {
      const p = path ? `${path}.${k}` : k;
      if (s.properties?.[k]) validateValue(s.properties[k], child, p, out);
      else if (typeof s.additionalProperties === "object")
        validateValue(s.additionalProperties, child, p, out);
    }
  }
}

export function applyDefaults(s: Schema | undefined, v: unknown): void {
  if (!s || v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    for (const e of v) applyDefaults(s.items, e);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const [k, child] of Object.entries(s.properties ?? {})) {
    if (o[k] === undefined && child.default !== undefined) o[k] = structuredClone(child.default);
    applyDefaults(child, o[k]);
  }
  if (typeof s.additionalProperties === "object")
    for (const child of Object.values(o)) applyDefaults(s.additionalProperties, child);
}

/** Paths of undeclared fields; with `remove`, deletes them (structural pruning). */
export function unknownPaths(
  s: Schema | undefined,
  v: unknown,
  path: string,
  out: string[],
  remove: boolean,
): void {
  if (!s || v === null || typeof v !== "object" || s["x-kubernetes-preserve-unknown-fields"]) return;
  if (Array.isArray(v)) {
    v.forEach((e, i) => unknownPaths(s.items, e, `${path}[${i}]`, out, remove));
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const p = path ? `${path}.${k}` : k;
    const child =
      s.properties?.[k] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
    if (child) unknownPaths(child, o[k], p, out, remove);
    else if (s.additionalProperties !== true && (s.properties || s.type === "object")) {
      out.push(p);
      if (remove) delete o[k];
    }
  }
}
