// Shared shapes of the API machinery. Every other module in lib/api builds on these, so keep them small.

export type JsonObject = Record<string, unknown>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** One field-level validation failure, worded like k8s.io/apimachinery's field.Error. */
export interface FieldError {
  /** The Status cause reason, e.g. FieldValueInvalid, FieldValueRequired, FieldValueNotSupported. */
  type:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueNotSupported"
    | "FieldValueDuplicate"
    | "FieldValueForbidden"
    | "FieldValueTooLong"
    | "FieldValueTooMany"
    | "FieldValueTypeInvalid";
  /** Dotted path as Kubernetes prints it, e.g. `metadata.name` or `spec.template.spec.containers[0].image`. */
  field: string;
  /** The error body, e.g. `Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must ...` or `Required value`. */
  message: string;
}

/** One column of the meta.k8s.io/v1 Table that `kubectl get` prints. */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description: string;
  priority: number;
  cell: (obj: KubeObject, now: Date) => unknown;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** Everything the server needs to know about one served kind at one group/version. */
export interface KindInfo {
  group: string; // "" for core
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: { status?: boolean; scale?: ScaleSubresource };
  /** Apply server-side defaults in place (after admission, before validation). */
  default(obj: KubeObject): void;
  /** Schema and semantic validation. `old` is set on update. Returns [] when valid. */
  validate(obj: KubeObject, old?: KubeObject): FieldError[];
  /** Paths of fields the schema does not declare, e.g. `spec.foo` (for fieldValidation=Strict/Warn). */
  unknownFields(obj: KubeObject): string[];
  /** Drops undeclared fields (what the apiserver does when fieldValidation is Ignore). Returns a new object. */
  prune(obj: KubeObject): KubeObject;
  /** Columns for Table output. */
  columns: TableColumn[];
  /** OpenAPI v3 schema of the kind (components/schemas entry), used for /openapi/v3 and `kubectl explain`. */
  openapi: JsonObject;
}

export function apiVersionOf(k: Pick<KindInfo, "group" | "version">): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}
