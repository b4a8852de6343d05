import { z } from "zod";
import { isPrimitiveSet, mergeKeyFor } from "../patch/merge-keys.ts";
import type {
  FieldError,
  JsonObject,
  KindInfo,
  KubeObject,
  ScaleSubresource,
  TableColumn,
} from "../types.ts";
import { ageColumn, nameColumn } from "./columns.ts";
import {
  formatValue,
  invalid,
  type NameRule,
  notSupported,
  objectMetaSchema,
  required,
  validateObjectMeta,
} from "./meta.ts";

// Builds a KindInfo from a zod schema of the kind's top-level fields. One schema drives validation, the
// unknown-field check behind fieldValidation=Strict, pruning and the OpenAPI schema kubectl explain reads.
//
// Objects built with z.object are "fully modelled": keys they do not declare are unknown fields. Objects built
// with z.looseObject keep whatever they are given, for the parts of the API we do not model field by field.

export interface KindDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular?: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  status?: boolean;
  scale?: ScaleSubresource;
  nameRule?: NameRule;
  /** Top-level fields besides apiVersion, kind and metadata. */
  fields: Record<string, z.ZodType>;
  description: string;
  defaults?: (obj: KubeObject) => void;
  validate?: (obj: KubeObject, old?: KubeObject) => FieldError[];
  /** Columns after NAME; AGE is appended unless listed or `age: false`. */
  columns?: TableColumn[];
  /** Set false where the printer has no AGE column (roles, CRDs: CREATED AT). */
  age?: boolean;
  /** Set false where `columns` lists every column itself (events put NAME last, at -o wide). */
  nameFirst?: boolean;
}

export const STANDARD_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

export function defineKind(d: KindDefinition): KindInfo {
  const schema = z.object({
    apiVersion: z
      .string()
      .optional()
      .describe("APIVersion defines the versioned schema of this representation of an object."),
    kind: z
      .string()
      .optional()
      .describe("Kind is a string value representing the REST resource this object represents."),
    metadata: objectMetaSchema
      .optional()
      .describe(
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      ),
    ...d.fields,
  });
  const nameRule = d.nameRule ?? "subdomain";
  let openapi: JsonObject | undefined;
  return {
    group: d.group,
    version: d.version,
    kind: d.kind,
    listKind: `${d.kind}List`,
    plural: d.plural,
    singular: d.singular ?? d.kind.toLowerCase(),
    namespaced: d.namespaced,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    verbs: d.verbs ?? STANDARD_VERBS,
    subresources: { status: d.status, scale: d.scale },
    default(obj) {
      d.defaults?.(obj);
    },
    validate(obj, old) {
      const errs = validateObjectMeta(obj, { namespaced: d.namespaced, nameRule });
      // Go decodes an explicit null as the zero value, so manifests such as `creationTimestamp: null` are valid.
      const res = schema.safeParse(withoutNulls(obj));
      if (!res.success)
        errs.push(
          ...res.error.issues
            .filter((i) => i.code !== "unrecognized_keys")
            .map((i) => issueToFieldError(i, obj)),
        );
      // Semantic checks run even when the shape is wrong, so a user sees every problem at once, as with the
      // apiserver; they must therefore tolerate missing or mistyped fields.
      if (d.validate) {
        try {
          errs.push(...d.validate(obj, old));
        } catch {
          // a mistyped field the schema errors above already report
        }
      }
      return dedupe(errs);
    },
    unknownFields(obj) {
      const out: string[] = [];
      walk(schema, obj, "", out, false);
      return out;
    },
    prune(obj) {
      const copy = structuredClone(obj);
      walk(schema, copy, "", [], true);
      return copy;
    },
    columns: [
      ...(d.nameFirst === false ? [] : [nameColumn]),
      ...(d.columns ?? []),
      ...(d.age === false || d.columns?.includes(ageColumn) ? [] : [ageColumn]),
    ],
    get openapi() {
      openapi ??= toOpenAPI(schema, d);
      return openapi;
    },
  };
}

function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!v || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
  return out;
}

const GO_TYPES: Record<string, string> = {
  number: "integer",
  int: "integer",
  record: "object",
  map: "object",
};

function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.field}\n${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** `spec.template.spec.containers[0].image` from a zod path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else s += s ? `.${String(p)}` : String(p);
  }
  return s;
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

function issueToFieldError(issue: z.core.$ZodIssue, obj: unknown): FieldError {
  const field = fieldPath(issue.path);
  const value = valueAt(obj, issue.path);
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return required(field);
      return {
        type: "FieldValueTypeInvalid",
        field,
        message: `Invalid value: ${formatValue(value)}: must be of type ${GO_TYPES[issue.expected] ?? issue.expected}`,
      };
    case "invalid_value":
      return notSupported(
        field,
        value,
        issue.values.map((v) => String(v)),
      );
    case "too_small":
      if (issue.origin === "string" || issue.origin === "array") {
        return value === undefined || (issue.minimum === 1 && (value as { length: number }).length === 0)
          ? required(field)
          : invalid(
              field,
              value,
              `must have at least ${issue.minimum} ${issue.origin === "array" ? "items" : "characters"}`,
            );
      }
      return invalid(
        field,
        value,
        `must be greater than${issue.inclusive ? " or equal to" : ""} ${issue.minimum}`,
      );
    case "too_big":
      if (issue.origin === "string")
        return {
          type: "FieldValueTooLong",
          field,
          message: `Too long: must have at most ${issue.maximum} bytes`,
        };
      return invalid(
        field,
        value,
        `must be less than${issue.inclusive ? " or equal to" : ""} ${issue.maximum}`,
      );
    case "invalid_union":
      if (value === undefined) return required(field);
      return {
        type: "FieldValueTypeInvalid",
        field,
        message: `Invalid value: ${formatValue(value)}: must be an integer or a string`,
      };
    default:
      return invalid(field, value, issue.message);
  }
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
  in?: z.ZodType;
};

function defOf(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** Collects (and with `remove`, deletes) keys that modelled objects do not declare. */
function walk(s: z.ZodType, value: unknown, path: string, out: string[], remove: boolean): void {
  const def = defOf(s);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "readonly":
    case "nonoptional":
      walk(def.innerType!, value, path, out, remove);
      return;
    case "lazy":
      walk(def.getter!(), value, path, out, remove);
      return;
    case "pipe":
      walk(def.in!, value, path, out, remove);
      return;
    case "array":
      if (Array.isArray(value)) value.forEach((v, i) => walk(def.element!, v, `${path}[${i}]`, out, remove));
      return;
    case "record":
      if (value && typeof value === "object" && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value))
          walk(def.valueType!, v, path ? `${path}.${k}` : k, out, remove);
      }
      return;
    case "union":
      {
        const first = (def.options ?? []).find((o) => defOf(o).type === "object");
        if (first) walk(first, value, path, out, remove);
      }
      return;
    case "object": {
      if (!value || typeof value !== "object" || Array.isArray(value)) return;
      const rec = value as Record<string, unknown>;
      for (const k of Object.keys(rec)) {
        const child = def.shape![k];
        const p = path ? `${path}.${k}` : k;
        if (child) walk(child, rec[k], p, out, remove);
        else if (!def.catchall || defOf(def.catchall).type === "never") {
          out.push(p);
          if (remove) delete rec[k];
        }
      }
      return;
    }
    default:
      return;
  }
}

function toOpenAPI(schema: z.ZodType, d: KindDefinition): JsonObject {
  const json = z.toJSONSchema(schema, {
    unrepresentable: "any",
    io: "input",
    target: "openapi-3.0",
  }) as JsonObject;
  delete json.$schema;
  clean(json);
  json.description = d.description;
  json["x-kubernetes-group-version-kind"] = [{ group: d.group, version: d.version, kind: d.kind }];
  return json;
}

/** OpenAPI as the apiserver publishes it: no closed objects, no draft-2020 keywords kubectl does not know. */
function clean(node: unknown): void {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    node.forEach(clean);
    return;
  }
  const n = node as JsonObject;
  if (n.additionalProperties === false) delete n.additionalProperties;
  if (
    n.additionalProperties &&
    typeof n.additionalProperties === "object" &&
    Object.keys(n.additionalProperties).length === 0
  ) {
    delete n.additionalProperties;
  }
  delete n.propertyNames;
  // kubectl apply computes its three-way patch from these extensions: without them every list is atomic and
  // a list the server defaulted (containers, ports) would always look changed.
  if (n.properties && typeof n.properties === "object") {
    for (const [name, prop] of Object.entries(n.properties as Record<string, JsonObject>)) {
      if (prop?.type !== "array") continue;
      const items = (prop.items ?? {}) as JsonObject;
      const itemProps = (items.properties ?? {}) as Record<string, unknown>;
      const containerPorts =
        "containerPort" in itemProps || String(items.$ref ?? "").endsWith(".ContainerPort");
      const key = name === "ports" ? (containerPorts ? "containerPort" : "port") : mergeKeyFor(name);
      if (key) {
        prop["x-kubernetes-patch-merge-key"] = key;
        prop["x-kubernetes-patch-strategy"] = name === "volumes" ? "merge,retainKeys" : "merge";
      } else if (isPrimitiveSet(name)) prop["x-kubernetes-patch-strategy"] = "merge";
    }
  }
  // Published as the apiserver does: both are strings on the wire in kubectl's eyes, with a format hint.
  if (Array.isArray(n.anyOf) && String(n.description ?? "").startsWith("IntOrString")) {
    delete n.anyOf;
    n.type = "string";
    n.format = "int-or-string";
    n["x-kubernetes-int-or-string"] = true;
  }
  if (Array.isArray(n.anyOf) && String(n.description ?? "").startsWith("Quantity")) {
    delete n.anyOf;
    n.type = "string";
  }
  if (n.type === "integer") {
    // zod's int() bounds are JavaScript's safe-integer range, not a constraint of the API.
    if (typeof n.minimum === "number" && Math.abs(n.minimum) >= Number.MAX_SAFE_INTEGER) delete n.minimum;
    if (typeof n.maximum === "number" && Math.abs(n.maximum) >= Number.MAX_SAFE_INTEGER) delete n.maximum;
    n.format ??= "int32";
  }
  for (const v of Object.values(n)) clean(v);
}
