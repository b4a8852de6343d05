import { labelValueErrors, qualifiedNameErrors } from "./kinds/meta.ts";
import type { KubeObject } from "./types.ts";

// Label and field selectors, parsed the way the apiserver parses the labelSelector and fieldSelector query
// parameters (k8s.io/apimachinery/pkg/labels/selector.go and pkg/fields/selector.go), with the same error
// wording, since kubectl prints the server's message verbatim.

export class SelectorError extends Error {
  override name = "SelectorError";
}

// ---- label selectors ----

export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

export interface LabelSelector {
  matches(labels: Record<string, string> | undefined): boolean;
  empty: boolean;
  toString(): string;
  /** The parsed requirements, sorted by key like labels.Parse does. */
  requirements: LabelRequirement[];
}

type Tok = "error" | "eos" | ")" | "," | "!" | "==" | "=" | ">" | "id" | "in" | "<" | "!=" | "notin" | "(";

const STRING_TO_TOKEN: Record<string, Tok> = {
  ")": ")",
  ",": ",",
  "!": "!",
  "==": "==",
  "=": "=",
  ">": ">",
  in: "in",
  "<": "<",
  "!=": "!=",
  notin: "notin",
  "(": "(",
};

const isWhitespace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";
const isSpecial = (c: string) =>
  c === "=" || c === "!" || c === "(" || c === ")" || c === "," || c === ">" || c === "<";

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: "eos", lit: "" });
      return items;
    }
    if (isSpecial(s[pos])) {
      // Longest run of special symbols that still forms a known token.
      let buf = "";
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = STRING_TO_TOKEN[buf];
        if (t) {
          last = { tok: t, lit: buf };
          pos++;
        } else if (last) break;
        else pos++;
      }
      items.push(last ?? { tok: "error", lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = "";
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buf += s[pos++];
    const t = STRING_TO_TOKEN[buf];
    items.push({ tok: t ?? "id", lit: buf });
  }
}

const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

/** Go's %#v of a []string, as field.Invalid prints it. */
const goStrings = (v: string[]) => `[]string{${v.map((x) => JSON.stringify(x)).join(", ")}}`;

function keyError(key: string, path: string): string | undefined {
  const errs = qualifiedNameErrors(key);
  return errs.length ? `${path}: Invalid value: ${JSON.stringify(key)}: ${errs.join("; ")}` : undefined;
}

function newRequirement(key: string, op: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  const ke = keyError(key, "key");
  if (ke) errs.push(ke);
  switch (op) {
    case "in":
    case "notin":
      if (values.length === 0)
        errs.push(
          `values: Invalid value: ${goStrings(values)}: for 'in', 'notin' operators, values set can't be empty`,
        );
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1)
        errs.push(
          `values: Invalid value: ${goStrings(values)}: exact-match compatibility requires one single value`,
        );
      break;
    case "exists":
    case "!":
      if (values.length !== 0)
        errs.push(
          `values: Invalid value: ${goStrings(values)}: values set must be empty for exists and does not exist`,
        );
      break;
    case "gt":
    case "lt":
      if (values.length !== 1)
        errs.push(
          `values: Invalid value: ${goStrings(values)}: for 'Gt', 'Lt' operators, exactly one value is required`,
        );
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
          errs.push(
            `values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
      });
      break;
  }
  values.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${ve.join("; ")}`);
  });
  if (errs.length === 1) throw new SelectorError(`unable to parse requirement: ${errs[0]}`);
  if (errs.length > 1) throw new SelectorError(`unable to parse requirement: [${errs.join(", ")}]`);
  return { key, op, values };
}

class Parser {
  private pos = 0;
  constructor(private items: Item[]) {}

  // In the Values context `in` and `notin` are ordinary identifiers.
  private look(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === "in" || it.tok === "notin") ? { tok: "id", lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.look(values);
    this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.look(true);
      if (tok === "id" || tok === "!") {
        let r: LabelRequirement;
        try {
          r = this.requirement();
        } catch (e) {
          if (e instanceof SelectorError && !e.message.startsWith("unable to parse requirement: "))
            throw new SelectorError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        reqs.push(r);
        const t = this.next(true);
        if (t.tok === "eos") return reqs;
        if (t.tok === ",") {
          const t2 = this.look(true);
          if (t2.tok !== "id" && t2.tok !== "!")
            throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
        } else throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
      } else if (tok === "eos") return reqs;
      else throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private requirement(): LabelRequirement {
    let op: LabelOperator | undefined;
    let t = this.next(true);
    if (t.tok === "!") {
      op = "!";
      t = this.next(true);
    }
    if (t.tok !== "id") throw new SelectorError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const ke = keyError(key, "<nil>");
    if (ke) throw new SelectorError(ke);
    const la = this.look(true).tok;
    if (la === "eos" || la === ",") op ??= "exists";
    if (op === "exists" || op === "!") return newRequirement(key, op, []);

    const o = this.next(false);
    const OPS: Partial<Record<Tok, LabelOperator>> = {
      in: "in",
      notin: "notin",
      "=": "=",
      "==": "==",
      "!=": "!=",
      ">": "gt",
      "<": "lt",
    };
    op = OPS[o.tok];
    if (!op) throw new SelectorError(`found '${o.lit}', expected: ${BINARY_OPERATORS}`);
    const values = op === "in" || op === "notin" ? this.setValues() : this.exactValue();
    return newRequirement(key, op, [...values].sort());
  }

  private setValues(): Set<string> {
    const open = this.next(true);
    if (open.tok !== "(") throw new SelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.look(true);
    if (tok === "id" || tok === ",") {
      const s = this.identifiers();
      if (this.next(true).tok !== ")") throw new SelectorError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ")") {
      this.next(true);
      return new Set([""]);
    }
    throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private identifiers(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === "id") {
        s.add(lit);
        const t2 = this.look(true);
        if (t2.tok === ",") continue;
        if (t2.tok === ")") return s;
        throw new SelectorError(`found '${t2.lit}', expected: ',' or ')'`);
      }
      if (tok === ",") {
        if (s.size === 0) s.add("");
        const t2 = this.look(true);
        if (t2.tok === ")") {
          s.add("");
          return s;
        }
        if (t2.tok === ",") {
          this.next(true);
          s.add("");
        }
        continue;
      }
      throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): Set<string> {
    const la = this.look(true);
    if (la.tok === "eos" || la.tok === ",") return new Set([""]);
    const t = this.next(true);
    if (t.tok === "id") return new Set([t.lit]);
    throw new SelectorError(`found '${t.lit}', expected: identifier`);
  }
}

function matchOne(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = has ? labels[r.key] : "";
  switch (r.op) {
    case "=":
    case "==":
    case "in":
      return has && r.values.includes(v);
    case "!=":
    case "notin":
      return !has || !r.values.includes(v);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !/^[+-]?\d+$/.test(v) || r.values.length !== 1) return false;
      const a = BigInt(v);
      const b = BigInt(r.values[0]);
      return r.op === "gt" ? a > b : a < b;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  const vals = [...r.values].sort().join(",");
  switch (r.op) {
    case "exists":
      return r.key;
    case "!":
      return `!${r.key}`;
    case "in":
    case "notin":
      return `${r.key} ${r.op} (${vals})`;
    case "gt":
      return `${r.key}>${vals}`;
    case "lt":
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.op}${vals}`;
  }
}

function selectorOf(reqs: LabelRequirement[]): LabelSelector {
  const sorted = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    empty: sorted.length === 0,
    matches: (labels) => sorted.every((r) => matchOne(r, labels ?? {})),
    toString: () => sorted.map(requirementString).join(","),
  };
}

/** labels.Parse: `a=b,c!=d`, `env in (prod, qa)`, `tier notin (fe)`, `partition`, `!partition`, `n>3`. */
export function parseLabelSelector(s: string): LabelSelector {
  return selectorOf(new Parser(lex(s)).parse());
}

export interface MetaLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
    values?: string[];
  }[];
}

/**
 * metav1.LabelSelectorAsSelector. An absent or empty selector matches everything (note: Kubernetes itself
 * treats a nil selector as matching nothing; callers that need that check for undefined first).
 * An unknown operator yields a selector that matches nothing.
 */
export function labelSelectorFromObject(sel: MetaLabelSelector | undefined | null): LabelSelector {
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {}))
    reqs.push({ key, op: "=", values: [value] });
  for (const e of sel?.matchExpressions ?? []) {
    const op: LabelOperator | undefined = (
      { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" } as const
    )[e.operator as "In"];
    // LabelSelectorAsSelector fails on an unknown operator; callers then select nothing.
    if (!op) return { requirements: [], empty: false, matches: () => false, toString: () => "" };
    reqs.push({ key: e.key, op, values: [...(e.values ?? [])] });
  }
  return selectorOf(reqs);
}

/** The `app=web,tier in (fe)` form of a metav1.LabelSelector (what Scale.status.selector carries). */
export function labelSelectorString(sel: MetaLabelSelector | undefined | null): string {
  return labelSelectorFromObject(sel).toString();
}

// ---- field selectors ----

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
