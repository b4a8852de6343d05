import { z } from "zod";
import type { FieldError, KubeObject } from "../types.ts";

// Name, label and metadata validation with the exact wording of k8s.io/apimachinery's validation package,
// because users (and tests, and kubectl output parsers) recognise these messages.

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

export type NameRule = "subdomain" | "label" | "dns1035" | "path";

export function nameErrors(value: string, rule: NameRule): string[] {
  const errs: string[] = [];
  if (rule === "path") {
    if (value === "." || value === "..") errs.push(`may not be '${value}'`);
    for (const bad of ["/", "%"]) if (value.includes(bad)) errs.push(`may not contain '${bad}'`);
    return errs;
  }
  if (rule === "subdomain") {
    if (value.length > 253) errs.push("must be no more than 253 characters");
    if (!new RegExp(`^${DNS1123_SUBDOMAIN}$`).test(value)) {
      errs.push(
        `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`,
      );
    }
  } else if (rule === "label") {
    if (value.length > 63) errs.push("must be no more than 63 characters");
    if (!new RegExp(`^${DNS1123_LABEL}$`).test(value)) {
      errs.push(
        `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL}')`,
      );
    }
  } else {
    if (value.length > 63) errs.push("must be no more than 63 characters");
    if (!new RegExp(`^${DNS1035_LABEL}$`).test(value)) {
      errs.push(
        `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_LABEL}')`,
      );
    }
  }
  return errs;
}

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: "FieldValueInvalid", field, message: `Invalid value: ${formatValue(value)}: ${detail}` };
}

/** Like `invalid`, for values Kubernetes prints in Go syntax (`map[string]string{...}`) rather than quoted. */
export function invalidRaw(field: string, printed: string, detail: string): FieldError {
  return { type: "FieldValueInvalid", field, message: `Invalid value: ${printed}: ${detail}` };
}

/** Go's %#v of a map[string]string, as apps/v1 prints template labels. */
export function goStringMap(m: Record<string, string> | undefined): string {
  const entries = Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(", ")}}`;
}

export function duplicate(field: string, value: unknown): FieldError {
  return { type: "FieldValueDuplicate", field, message: `Duplicate value: ${formatValue(value)}` };
}

export function required(field: string, detail?: string): FieldError {
  return {
    type: "FieldValueRequired",
    field,
    message: detail ? `Required value: ${detail}` : "Required value",
  };
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  return {
    type: "FieldValueNotSupported",
    field,
    message: `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(", ")}`,
  };
}

export function formatValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "null";
  return JSON.stringify(v);
}

/** A qualified name: an optional DNS subdomain prefix and a name part (label keys, annotation keys, finalizers). */
export function qualifiedNameErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split("/");
  let name = key;
  if (parts.length > 2) {
    return [
      `a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const e of nameErrors(prefix, "subdomain")) errs.push(`prefix part ${e}`);
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > 63) errs.push("name part must be no more than 63 characters");
  if (name.length > 0 && !new RegExp(`^${QUALIFIED_NAME}$`).test(name)) {
    errs.push(
      `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}')`,
    );
  }
  return errs;
}

export function labelValueErrors(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push("must be no more than 63 characters");
  if (!new RegExp(`^${LABEL_VALUE}$`).test(v)) {
    errs.push(
      `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${LABEL_VALUE}')`,
    );
  }
  return errs;
}

export function validateLabels(labels: unknown, field: string): FieldError[] {
  const out: FieldError[] = [];
  if (labels === undefined || labels === null) return out;
  if (typeof labels !== "object" || Array.isArray(labels))
    return [invalid(field, labels, "must be a map of string keys to string values")];
  for (const [k, v] of Object.entries(labels)) {
    for (const e of qualifiedNameErrors(k)) out.push(invalid(field, k, e));
    if (typeof v !== "string") out.push(invalid(`${field}.${k}`, v, "must be a string"));
    else for (const e of labelValueErrors(v)) out.push(invalid(field, v, e));
  }
  return out;
}

const MAX_ANNOTATIONS = 256 * 1024;

export function validateObjectMeta(
  obj: KubeObject,
  opts: { namespaced: boolean; nameRule: NameRule },
): FieldError[] {
  const out: FieldError[] = [];
  const m = obj.metadata ?? {};
  if (!m.name) {
    if (!m.generateName) out.push(required("metadata.name", "name or generateName is required"));
  } else {
    for (const e of nameErrors(m.name, opts.nameRule)) out.push(invalid("metadata.name", m.name, e));
  }
  if (opts.namespaced) {
    if (!m.namespace) out.push(required("metadata.namespace"));
    else
      for (const e of nameErrors(m.namespace, "label"))
        out.push(invalid("metadata.namespace", m.namespace, e));
  }
  out.push(...validateLabels(m.labels, "metadata.labels"));
  if (m.annotations !== undefined) {
    if (typeof m.annotations !== "object" || Array.isArray(m.annotations))
      out.push(invalid("metadata.annotations", m.annotations, "must be a map"));
    else {
      let size = 0;
      for (const [k, v] of Object.entries(m.annotations)) {
        for (const e of qualifiedNameErrors(k)) out.push(invalid("metadata.annotations", k, e));
        if (typeof v !== "string") out.push(invalid(`metadata.annotations.${k}`, v, "must be a string"));
        size += k.length + String(v).length;
      }
      if (size > MAX_ANNOTATIONS)
        out.push({
          type: "FieldValueTooLong",
          field: "metadata.annotations",
          message: `Too long: must have at most ${MAX_ANNOTATIONS} bytes`,
        });
    }
  }
  const finalizers: unknown = m.finalizers;
  if (finalizers !== undefined && !Array.isArray(finalizers))
    out.push(invalid("metadata.finalizers", finalizers, "must be a list of strings"));
  else
    (finalizers ?? []).forEach((f: unknown, i: number) => {
      if (typeof f !== "string") out.push(invalid(`metadata.finalizers[${i}]`, f, "must be a string"));
      else for (const e of qualifiedNameErrors(f)) out.push(invalid(`metadata.finalizers[${i}]`, f, e));
    });
  return out;
}

export const objectMetaSchema = z
  .object({
    name: z.string().optional().describe("Name must be unique within a namespace. Cannot be updated."),
    generateName: z
      .string()
      .optional()
      .describe("An optional prefix used by the server to generate a unique name, if name is not provided."),
    namespace: z
      .string()
      .optional()
      .describe("The namespace the object belongs to. An empty namespace is the default namespace."),
    selfLink: z.string().optional(),
    uid: z
      .string()
      .optional()
      .describe("UID is the unique in time and space value for this object, set by the server."),
    resourceVersion: z
      .string()
      .optional()
      .describe(
        "An opaque value that represents the internal version of this object, used for optimistic concurrency and watches.",
      ),
    generation: z
      .number()
      .int()
      .optional()
      .describe("A sequence number representing a specific generation of the desired state."),
    creationTimestamp: z.string().optional().describe("The time this object was created, set by the server."),
    deletionTimestamp: z
      .string()
      .optional()
      .describe(
        "The time after which this resource will be deleted, set by the server when a graceful deletion is requested.",
      ),
    deletionGracePeriodSeconds: z.number().int().optional(),
    labels: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        "Map of string keys and values that can be used to organize and categorize objects; selectors match them.",
      ),
    annotations: z
      .record(z.string(), z.string())
      .optional()
      .describe("An unstructured key value map stored with a resource that may be set by external tools."),
    ownerReferences: z
      .array(
        z.object({
          apiVersion: z.string(),
          kind: z.string(),
          name: z.string(),
          uid: z.string(),
          controller: z.boolean().optional(),
          blockOwnerDeletion: z.boolean().optional(),
        }),
      )
      .optional()
      .describe(
        "List of objects depended by this object. Garbage collection deletes this object when all owners are gone.",
      ),
    finalizers: z
      .array(z.string())
      .optional()
      .describe("Must be empty before the object is deleted from the registry."),
    managedFields: z
      .array(z.looseObject({}))
      .optional()
      .describe(
        "Maps workflow-id and version to the set of fields managed by that workflow (server-side apply).",
      ),
  })
  .meta({
    id: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    description:
      "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
  });

export const labelSelectorSchema = z
  .object({
    matchLabels: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        "matchLabels is a map of {key,value} pairs. A single {key,value} is equivalent to an element of matchExpressions whose operator is In.",
      ),
    matchExpressions: z
      .array(
        z.object({
          key: z.string().describe("key is the label key that the selector applies to."),
          operator: z
            .enum(["In", "NotIn", "Exists", "DoesNotExist"])
            .describe("operator represents a key's relationship to a set of values."),
          values: z.array(z.string()).optional().describe("values is an array of string values."),
        }),
      )
      .optional()
      .describe("matchExpressions is a list of label selector requirements. The requirements are ANDed."),
  })
  .meta({
    id: "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
    description:
      "A label selector is a label query over a set of resources. An empty label selector matches all objects.",
  });
