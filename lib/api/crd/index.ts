import { ageColumn, col, nameColumn } from "../kinds/columns.ts";
import { STANDARD_VERBS } from "../kinds/define.ts";
import { invalid, notSupported, required, validateObjectMeta } from "../kinds/meta.ts";
import type { FieldError, KindInfo, KubeObject, TableColumn } from "../types.ts";
import { evalJsonPath } from "./jsonpath.ts";
import { applyDefaults, type Schema, unknownPaths, validateValue } from "./schema.ts";

// CustomResourceDefinitions: the kinds they define, served dynamically.

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: {
    status?: object;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: {
    name: string;
    type: string;
    jsonPath: string;
    description?: string;
    priority?: number;
    format?: string;
  }[];
}

interface CrdSpec {
  group: string;
  scope: "Namespaced" | "Cluster";
  names: {
    plural: string;
    singular?: string;
    kind: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

const META_FIELDS = new Set([
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

export function kindsFromCRD(crd: KubeObject): KindInfo[] {
  const spec = crd.spec as CrdSpec;
  return spec.versions.filter((v) => v.served).map((v) => versionKind(spec, v));
}

function versionKind(spec: CrdSpec, v: CrdVersion): KindInfo {
  const schema = v.schema?.openAPIV3Schema ?? {
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
  };
  const body = (obj: KubeObject): Record<string, unknown> => {
    const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
    return rest;
  };
  const columns: TableColumn[] = [nameColumn];
  for (const c of v.additionalPrinterColumns ?? []) {
    columns.push(
      col(
        c.name,
        (o) => {
          const val = evalJsonPath(o, c.jsonPath);
          if (val === undefined) return c.type === "integer" || c.type === "number" ? null : "";
          if (c.type === "date" && typeof val === "string")
            return ageColumn.cell({ ...o, metadata: { creationTimestamp: val } }, new Date());
          return typeof val === "object" ? JSON.stringify(val) : val;
        },
        {
          type: (["integer", "number", "boolean", "date"].includes(c.type)
            ? c.type === "date"
              ? "string"
              : c.type
            : "string") as TableColumn["type"],
          priority: c.priority ?? 0,
          description: c.description ?? c.name,
        },
      ),
    );
  }
  columns.push(ageColumn);
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  return {
    group: spec.group,
    version: v.name,
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    namespaced: spec.scope === "Namespaced",
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    verbs: STANDARD_VERBS,
    subresources: { status: Boolean(v.subresources?.status), scale: v.subresources?.scale },
    default(obj) {
      applyDefaults({ ...schema, properties: props }, body(obj));
      const b = body(obj);
      for (const [k, val] of Object.entries(b)) obj[k] = val;
    },
    validate(obj) {
      const errs = validateObjectMeta(obj, {
        namespaced: spec.scope === "Namespaced",
        nameRule: "subdomain",
      });
      const out: FieldError[] = [];
      validateValue(
        {
          ...schema,
          properties: props,
          required: (schema.required ?? []).filter((r) => !["apiVersion", "kind", "metadata"].includes(r)),
        },
        body(obj),
        "",
        out,
      );
      return [...errs, ...out];
    },
    unknownFields(obj) {
      const out: string[] = [];
      unknownPaths({ ...schema, properties: { ...props } }, body(obj), "", out, false);
      for (const k of Object.keys(obj.metadata ?? {})) if (!META_FIELDS.has(k)) out.push(`metadata.${k}`);
      return out;
    },
    prune(obj) {
      const copy = structuredClone(obj);
      const b = body(copy);
      unknownPaths({ ...schema, properties: { ...props } }, b, "", [], true);
      for (const k of Object.keys(copy))
        if (!["apiVersion", "kind", "metadata"].includes(k) && !(k in b)) delete copy[k];
      for (const k of Object.keys(copy.metadata ?? {}))
        if (!META_FIELDS.has(k)) delete (copy.metadata as Record<string, unknown>)[k];
      return copy;
    },
    columns,
    openapi: {
      ...schema,
      properties: {
        apiVersion: {
          type: "string",
          description: "APIVersion defines the versioned schema of this representation of an object.",
        },
        kind: {
          type: "string",
          description: "Kind is a string value representing the REST resource this object represents.",
        },
        metadata: { type: "object", description: "Standard object's metadata." },
        ...props,
      },
      "x-kubernetes-group-version-kind": [{ group: spec.group, version: v.name, kind: spec.names.kind }],
    },
  };
}

export function validateCRD(crd: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = (crd.spec ?? {}) as Partial<CrdSpec>;
  const names = spec.names ?? ({} as CrdSpec["names"]);
  if (!spec.group) out.push(required("spec.group"));
  else if (!spec.group.includes("."))
    out.push(invalid("spec.group", spec.group, "should be a domain with at least one dot"));
  if (!names.plural) out.push(required("spec.names.plural"));
  if (!names.kind) out.push(required("spec.names.kind"));
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster")
    out.push(notSupported("spec.scope", spec.scope ?? "", ["Cluster", "Namespaced"]));
  if (names.plural && spec.group && crd.metadata.name !== `${names.plural}.${spec.group}`) {
    out.push(invalid("metadata.name", crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  const versions = spec.versions ?? [];
  if (versions.length === 0)
    out.push(required("spec.versions", "must have exactly one version marked as storage version"));
  else if (versions.filter((v) => v.storage).length !== 1) {
    out.push(
      invalid(
        "spec.versions",
        versions.map((v) => v.name),
        "must have exactly one version marked as storage version",
      ),
    );
  }
  versions.forEach((v, i) => {
    const s = v.schema?.openAPIV3Schema;
    if (!s) out.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, "schemas are required"));
    else if (s.type !== "object")
      out.push(
        invalid(
          `spec.versions[${i}].schema.openAPIV3Schema.type`,
          s.type ?? "",
          "must be object at the root",
        ),
      );
  });
  return out;
}

export function crdStatus(crd: KubeObject): Record<string, unknown> {
  const spec = crd.spec as CrdSpec;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const n = spec.names;
  return {
    conditions: [
      {
        type: "NamesAccepted",
        status: "True",
        reason: "NoConflicts",
        message: "no conflicts found",
        lastTransitionTime: now,
      },
      {
        type: "Established",
        status: "True",
        reason: "InitialNamesAccepted",
        message: "the initial names have been accepted",
        lastTransitionTime: now,
      },
    ],
    acceptedNames: {
      plural: n.plural,
      singular: n.singular ?? n.kind.toLowerCase(),
      kind: n.kind,
      listKind: n.listKind ?? `${n.kind}List`,
      ...(n.shortNames ? { shortNames: n.shortNames } : {}),
      ...(n.categories ? { categories: n.categories } : {}),
    },
    storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}
