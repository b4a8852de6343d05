import { labelValueErrors, qualifiedNameErrors } from "./kinds/meta.ts";

// Label selectors, parsed the way the apiserver parses the labelSelector query parameter
// (k8s.io/apimachinery/pkg/labels/selector.go), with the same error wording, since kubectl prints the
// server's message verbatim. Field selectors are in field-selectors.ts, re-exported here.

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

export { type FieldSelector, type FieldSelectorKind, parseFieldSelector } from "./field-selectors.ts";
