import { humanDuration, nameColumn } from "../kinds/columns.ts";
import { STANDARD_VERBS } from "../kinds/define.ts";
import { validateObjectMeta } from "../kinds/meta.ts";
import type {
  FieldError,
  JsonObject,
  KindInfo,
  KubeObject,
  ScaleSubresource,
  TableColumn,
} from "../types.ts";
import { evalJsonPath, goPrint } from "./jsonpath.ts";
import { applyDefaults, OBJECT_META_FIELDS, type Schema, unknownPaths, validateValue } from "./schema.ts";

export { evalJsonPath, jsonPathResults } from "./jsonpath.ts";
export type { Schema } from "./schema.ts";

// CustomResourceDefinitions (apiextensions.k8s.io/v1): the kinds they define, served dynamically, and the
// checks, defaults and status the apiextensions-apiserver applies to the CRD objects themselves.

export interface CrdPrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: {
    status?: object;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: CrdPrinterColumn[];
  selectableFields?: { jsonPath: string }[];
}

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdSpec {
  group: string;
  scope: "Namespaced" | "Cluster";
  names: CrdNames;
  versions: CrdVersion[];
  conversion?: { strategy: string };
  preserveUnknownFields?: boolean;
}

/** A KindInfo served from a CRD; `selectableFields` feeds parseFieldSelector. */
export type CustomKindInfo = KindInfo & {
  selectableFields: string[];
  /** The CRD version's deprecation warning, when `deprecated` (the server sends it as a Warning header). */
  deprecationWarning?: string;
  storage: boolean;
};

const TYPE_META = ["apiVersion", "kind", "metadata"];

const DESCRIPTIONS = {
  apiVersion:
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
  kind: "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
  metadata:
    "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  creationTimestamp:
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
};

/** Names with the defaults the apiserver fills in (singular = lowercase kind, listKind = kind + "List"). */
export function crdNames(spec: Pick<CrdSpec, "names">): Required<CrdNames> {
  const n = spec.names;
  return {
    plural: n.plural,
    singular: n.singular || n.kind.toLowerCase(),
    kind: n.kind,
    listKind: n.listKind || `${n.kind}List`,
    shortNames: n.shortNames ?? [],
    categories: n.categories ?? [],
  };
}

/** One KindInfo per served version of the CRD. */
export function kindsFromCRD(crd: KubeObject): CustomKindInfo[] {
  const spec = crd.spec as CrdSpec;
  return (spec.versions ?? []).filter((v) => v.served).map((v) => versionKind(spec, v));
}

// ---- printer columns ----

function cellValue(type: string, value: unknown, now: Date): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "string":
      return goPrint(value);
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date": {
      if (typeof value !== "string") return null;
      const t = Date.parse(value);
      if (Number.isNaN(t)) return "<invalid>";
      return humanDuration(now.getTime() - t);
    }
  }
  return null;
}

export const COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"];

/** NAME, then the version's additionalPrinterColumns, or AGE when it declares none (as the apiserver serves). */
export function crdColumns(printerColumns: CrdPrinterColumn[] | undefined): TableColumn[] {
  const defs: CrdPrinterColumn[] = printerColumns?.length
    ? printerColumns
    : [
        {
          name: "Age",
          type: "date",
          jsonPath: ".metadata.creationTimestamp",
          description: DESCRIPTIONS.creationTimestamp,
        },
      ];
  const columns: TableColumn[] = [nameColumn];
  for (const c of defs) {
    const type = (COLUMN_TYPES.includes(c.type) ? c.type : "string") as TableColumn["type"];
    columns.push({
      name: c.name,
      type,
      ...(c.format ? { format: c.format } : {}),
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
      cell: (o, now) => cellValue(c.type, evalJsonPath(o, c.jsonPath), now),
    });
  }
  return columns;
}

// ---- the served kind ----

function withoutTypeMeta(schema: Schema): Schema {
  const props = { ...(schema.properties ?? {}) };
  for (const k of TYPE_META) delete props[k];
  return {
    ...schema,
    properties: props,
    required: (schema.required ?? []).filter((r) => !TYPE_META.includes(r)),
  };
}

function body(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  return rest;
}

/** Parses `spec.items[0].name` into property and index steps. */
function pathSteps(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    steps.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return steps;
}

function at(obj: unknown, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = obj;
  for (const s of pathSteps(path)) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur as object, s)) return { found: false };
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return { found: true, value: cur };
}

/**
 * Validation ratcheting (on by default since Kubernetes 1.30): on update, schema errors about values that did
 * not change from the old object are not reported.
 */
function ratchet(errs: FieldError[], obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (!old) return errs;
  return errs.filter((e) => {
    if (e.type === "FieldValueRequired") return true;
    const a = at(obj, e.field);
    const b = at(old, e.field);
    return !(a.found && b.found && JSON.stringify(a.value) === JSON.stringify(b.value));
  });
}

function pruneMetadata(meta: unknown, out: string[], remove: boolean): void {
  if (!meta || typeof meta !== "object") return;
  for (const k of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(k)) continue;
    out.push(`metadata.${k}`);
    if (remove) delete (meta as Record<string, unknown>)[k];
  }
}

function versionKind(spec: CrdSpec, v: CrdVersion): CustomKindInfo {
  const schema: Schema = v.schema?.openAPIV3Schema ?? {
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
  };
  const bodySchema = withoutTypeMeta(schema);
  const metaSchema = schema.properties?.metadata;
  const names = crdNames(spec);
  const namespaced = spec.scope === "Namespaced";
  const scale = v.subresources?.scale;
  const openapi = structuredClone(schema) as JsonObject & { properties?: Record<string, unknown> };
  openapi.type ??= "object";
  openapi.properties = {
    ...(openapi.properties ?? {}),
    apiVersion: { type: "string", description: DESCRIPTIONS.apiVersion },
    kind: { type: "string", description: DESCRIPTIONS.kind },
    metadata: { type: "object", description: DESCRIPTIONS.metadata },
  };
  openapi["x-kubernetes-group-version-kind"] = [{ group: spec.group, version: v.name, kind: names.kind }];

  return {
    group: spec.group,
    version: v.name,
    kind: names.kind,
    listKind: names.listKind,
    plural: names.plural,
    singular: names.singular,
    namespaced,
    shortNames: names.shortNames,
    categories: names.categories,
    verbs: [...STANDARD_VERBS],
    subresources: {
      ...(v.subresources?.status ? { status: true } : {}),
      ...(scale
        ? {
            scale: {
              specReplicasPath: scale.specReplicasPath,
              statusReplicasPath: scale.statusReplicasPath,
              ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}),
            } satisfies ScaleSubresource,
          }
        : {}),
    },
    selectableFields: (v.selectableFields ?? []).map((f) => f.jsonPath),
    storage: v.storage,
    ...(v.deprecated
      ? {
          deprecationWarning: v.deprecationWarning ?? `${spec.group}/${v.name} ${names.kind} is deprecated`,
        }
      : {}),
    default(obj) {
      applyDefaults(bodySchema, obj);
    },
    validate(obj, old) {
      const out = validateObjectMeta(obj, { namespaced, nameRule: "subdomain" });
      const errs: FieldError[] = [];
      validateValue(bodySchema, body(obj), "", errs);
      // The schema may constrain metadata.name and metadata.generateName (only those).
      for (const k of ["name", "generateName"]) {
        const s = metaSchema?.properties?.[k];
        const val = (obj.metadata as Record<string, unknown> | undefined)?.[k];
        if (s && val !== undefined) validateValue(s, val, `metadata.${k}`, errs);
      }
      return [...out, ...ratchet(errs, obj, old)];
    },
    unknownFields(obj) {
      const out: string[] = [];
      unknownPaths(bodySchema, body(obj), "", out, false);
      pruneMetadata(obj.metadata, out, false);
      return out;
    },
    prune(obj) {
      const copy = structuredClone(obj);
      const rest = body(copy);
      unknownPaths(bodySchema, rest, "", [], true);
      for (const k of Object.keys(copy))
        if (!TYPE_META.includes(k) && !Object.hasOwn(rest, k)) delete copy[k];
      pruneMetadata(copy.metadata, [], true);
      return copy;
    },
    columns: crdColumns(v.additionalPrinterColumns),
    openapi,
  };
}

export { crdStatus, defaultCRD, validateCRD } from "./crd-object.ts";
