import { SelectorError } from "./selectors.ts";
import type { KubeObject } from "./types.ts";

// Field selectors, parsed like k8s.io/apimachinery/pkg/fields/selector.go, with the per-kind field labels
// kube-apiserver registers. Label selectors live in selectors.ts, which re-exports this module.

export interface FieldSelector {
  matches(obj: KubeObject): boolean;
  empty: boolean;
  requirements: { field: string; op: "=" | "!="; value: string }[];
}

/** Identifies the kind a field selector is for; a KindInfo fits. */
export interface FieldSelectorKind {
  kind: string;
  group: string;
  /** CustomResourceDefinition spec.versions[].selectableFields[].jsonPath, e.g. `.spec.color`. */
  selectableFields?: readonly string[];
}

const COMMON = ["metadata.name", "metadata.namespace"];

/** Kinds with a registered field label conversion func, and the labels it accepts beyond metadata.*. */
const FIELDS: Record<string, string[]> = {
  "/Pod": [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  "/Event": [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  "/Secret": ["type"],
  "/Node": ["spec.unschedulable"],
  "/Namespace": ["status.phase"],
  "/ReplicationController": ["status.replicas"],
  "/Service": ["spec.clusterIP", "spec.type"],
  "batch/Job": ["status.successful"],
  "apps/ReplicaSet": ["status.replicas"],
  "certificates.k8s.io/CertificateSigningRequest": ["spec.signerName"],
  "events.k8s.io/Event": [
    "regarding.kind",
    "regarding.namespace",
    "regarding.name",
    "regarding.uid",
    "regarding.apiVersion",
    "regarding.resourceVersion",
    "regarding.fieldPath",
    "reason",
    "reportingController",
    "type",
  ],
};

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.replace(/^\./, "").split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function str(v: unknown, dflt = ""): string {
  if (v === undefined || v === null) return dflt;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** The value of a selectable field, as the kind's ToSelectableFields / GetAttrs computes it. */
function fieldValue(obj: KubeObject, field: string, kind: FieldSelectorKind): string {
  const key = `${kind.group}/${kind.kind}`;
  if (key === "/Event" && field === "source") {
    const src = get(obj, "source.component");
    return src ? str(src) : str(get(obj, "reportingComponent"));
  }
  if (key === "/Pod" && field === "status.podIP") {
    const ips = get(obj, "status.podIPs");
    if (Array.isArray(ips) && ips.length > 0) return str((ips[0] as { ip?: string })?.ip);
    return str(get(obj, "status.podIP"));
  }
  if (key === "/Pod" && field === "spec.hostNetwork") return str(get(obj, field), "false");
  if (key === "/Node" && field === "spec.unschedulable") return str(get(obj, field), "false");
  if (key === "batch/Job" && field === "status.successful") return str(get(obj, "status.succeeded"), "0");
  if (field === "status.replicas") return str(get(obj, field), "0");
  return str(get(obj, field));
}

/** fields.UnescapeValue */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === "\\" || c === "," || c === "=") out += c;
      else throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === "\\") inSlash = true;
    else if (c === "," || c === "=")
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new SelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Splits on commas that are not backslash-escaped (fields.splitTerms). */
function splitTerms(s: string): string[] {
  if (s === "") return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): [string, "!=" | "==" | "=", string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ["!=", "==", "="] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/**
 * fields.ParseSelector followed by the kind's field label conversion. Like the apiserver, field names are not
 * trimmed. Unsupported labels fail with the message of the kind's conversion func: `field label not supported:
 * X` for kinds that register one (pods, events, CRDs, ...), otherwise the generic
 * `"X" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 */
export function parseFieldSelector(s: string, kind: FieldSelectorKind): FieldSelector {
  const requirements: FieldSelector["requirements"] = [];
  const parts = splitTerms(s).sort();
  for (const part of parts) {
    if (part === "") continue;
    const t = splitTerm(part);
    if (!t) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    requirements.push({ field: t[0], op: t[1] === "!=" ? "!=" : "=", value: unescapeValue(t[2]) });
  }
  const key = `${kind.group}/${kind.kind}`;
  const extra = FIELDS[key];
  const crdFields = (kind.selectableFields ?? []).map((f) => f.replace(/^\./, ""));
  const isCustom = kind.selectableFields !== undefined;
  for (const r of requirements) {
    if (COMMON.includes(r.field) || extra?.includes(r.field) || crdFields.includes(r.field)) continue;
    if (extra || isCustom) throw new SelectorError(`field label not supported: ${r.field}`);
    throw new SelectorError(
      `"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
  return {
    empty: requirements.length === 0,
    requirements,
    matches: (obj) =>
      requirements.every((r) => (fieldValue(obj, r.field, kind) === r.value) === (r.op === "=")),
  };
}
