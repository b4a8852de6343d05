import type { KubeObject } from "./types.ts";

// Label and field selectors, parsed the way the apiserver parses the labelSelector and fieldSelector query
// parameters (k8s.io/apimachinery/pkg/labels and /fields).

export class SelectorError extends Error {}

type Op = "=" | "!=" | "in" | "notin" | "exists" | "!";

interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export interface LabelSelector {
  matches(labels: Record<string, string> | undefined): boolean;
  empty: boolean;
  toString(): string;
}

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(k: string): void {
  const name = k.includes("/") ? k.slice(k.indexOf("/") + 1) : k;
  if (!KEY.test(k) || name.length > 63) {
    throw new SelectorError(
      `unable to parse requirement: values[0][${k}]: Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    );
  }
}

function checkValue(v: string): void {
  if (v.length > 63 || !VALUE.test(v)) {
    throw new SelectorError(
      `unable to parse requirement: values[0][${v}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (depth !== 0)
    throw new SelectorError(`unable to parse requirement: found '(' without a matching ')' in "${s}"`);
  out.push(cur);
  return out;
}

function parseRequirement(raw: string): Requirement {
  const s = raw.trim();
  if (s === "") throw new SelectorError("unable to parse requirement: found '', expected: identifier");
  let m = /^!\s*([^\s!=(),]+)$/.exec(s);
  if (m) {
    checkKey(m[1]);
    return { key: m[1], op: "!", values: [] };
  }
  m = /^([^\s!=(),]+)\s+(in|notin)\s*\((.*)\)$/.exec(s);
  if (m) {
    checkKey(m[1]);
    const values = m[3].split(",").map((v) => v.trim());
    if (values.length === 1 && values[0] === "")
      throw new SelectorError(
        `unable to parse requirement: for '${m[2]}' set operator, at least one value is required`,
      );
    values.forEach(checkValue);
    return { key: m[1], op: m[2] as Op, values };
  }
  m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(s);
  if (m) {
    checkKey(m[1]);
    checkValue(m[3]);
    return { key: m[1], op: m[2] === "!=" ? "!=" : "=", values: [m[3]] };
  }
  m = /^([^\s!=(),]+)$/.exec(s);
  if (m) {
    checkKey(m[1]);
    return { key: m[1], op: "exists", values: [] };
  }
  throw new SelectorError(`unable to parse requirement: couldn't parse the selector string "${s}"`);
}

function matchOne(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case "=":
      return has && v === r.values[0];
    case "!=":
      return !has || v !== r.values[0];
    case "in":
      return has && r.values.includes(v);
    case "notin":
      return !has || !r.values.includes(v);
    case "exists":
      return has;
    case "!":
      return !has;
  }
}

function selectorOf(reqs: Requirement[]): LabelSelector {
  return {
    empty: reqs.length === 0,
    matches: (labels) => reqs.every((r) => matchOne(r, labels ?? {})),
    toString: () =>
      reqs
        .map((r) => {
          if (r.op === "exists") return r.key;
          if (r.op === "!") return `!${r.key}`;
          if (r.op === "in" || r.op === "notin") return `${r.key} ${r.op} (${r.values.join(",")})`;
          return `${r.key}${r.op}${r.values[0]}`;
        })
        .join(","),
  };
}

export function parseLabelSelector(s: string): LabelSelector {
  if (s.trim() === "") return selectorOf([]);
  return selectorOf(splitTop(s).map(parseRequirement));
}

export interface MetaLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
  }[];
}

export function labelSelectorFromObject(sel: MetaLabelSelector | undefined): LabelSelector {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {}))
    reqs.push({ key, op: "=", values: [value] });
  for (const e of sel?.matchExpressions ?? []) {
    const op: Op =
      e.operator === "In"
        ? "in"
        : e.operator === "NotIn"
          ? "notin"
          : e.operator === "Exists"
            ? "exists"
            : "!";
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return selectorOf(reqs);
}

// ---- field selectors ----

export interface FieldSelector {
  matches(obj: KubeObject): boolean;
  empty: boolean;
  requirements: { field: string; op: "=" | "!="; value: string }[];
}

const COMMON = ["metadata.name", "metadata.namespace"];
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
  "batch/Job": ["status.successful"],
  "apps/ReplicaSet": ["status.replicas"],
  "/ReplicationController": ["status.replicas"],
  "/Service": ["spec.clusterIP", "spec.type"],
  "events.k8s.io/Event": [
    "regarding.kind",
    "regarding.namespace",
    "regarding.name",
    "reason",
    "type",
    "reportingController",
  ],
};

function fieldValue(obj: KubeObject, field: string): string {
  if (field === "source") {
    const src = (obj as { source?: { component?: string } }).source;
    return src?.component ?? "";
  }
  let cur: unknown = obj;
  for (const part of field.split(".")) {
    if (cur === null || typeof cur !== "object") return "";
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null)
    return field === "spec.unschedulable" || field === "spec.hostNetwork" ? "false" : "";
  return String(cur);
}

export function parseFieldSelector(s: string, kind: { kind: string; group: string }): FieldSelector {
  const requirements: FieldSelector["requirements"] = [];
  if (s.trim() !== "") {
    for (const part of s.split(",")) {
      const m = /^\s*([^\s!=]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
      if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
      const field = m[1];
      const allowed = [...COMMON, ...(FIELDS[`${kind.group}/${kind.kind}`] ?? [])];
      if (!allowed.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
      requirements.push({ field, op: m[2] === "!=" ? "!=" : "=", value: m[3] });
    }
  }
  return {
    empty: requirements.length === 0,
    requirements,
    matches: (obj) => requirements.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === "=")),
  };
}
