// The JSONPath subset that additionalPrinterColumns, selectableFields and the scale subresource use
// (k8s.io/client-go/util/jsonpath): `.a.b`, `.a[0]`, `.a[-1]`, `.a[*].b`, `.a[1:3]`, `['dotted.key']`,
// `.labels.app\.kubernetes\.io/name`, `..name` and filters such as `[?(@.type=="Ready")]`.

type Step =
  | { t: "field"; name: string }
  | { t: "wild" }
  | { t: "recursive"; name: string | undefined }
  | { t: "index"; i: number }
  | { t: "slice"; start?: number; end?: number }
  | { t: "filter"; path: Step[]; op?: string; value?: unknown };

function parseSteps(src: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const readName = (): string => {
    let name = "";
    while (i < src.length && src[i] !== "." && src[i] !== "[") {
      if (src[i] === "\\" && i + 1 < src.length) {
        name += src[i + 1];
        i += 2;
      } else name += src[i++];
    }
    return name;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === "@" || c === "$") {
      i++;
    } else if (c === ".") {
      if (src[i + 1] === ".") {
        i += 2;
        const name = src[i] === "[" ? undefined : readName();
        steps.push({ t: "recursive", name: name === "*" ? undefined : name });
        continue;
      }
      i++;
      const name = readName();
      if (name === "*") steps.push({ t: "wild" });
      else if (name !== "") steps.push({ t: "field", name });
    } else if (c === "[") {
      const end = matchingBracket(src, i);
      const inner = src.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ t: "wild" });
      else if (/^-?\d+$/.test(inner)) steps.push({ t: "index", i: Number(inner) });
      else if (/^-?\d*:-?\d*(:\d*)?$/.test(inner)) {
        const [a, b] = inner.split(":");
        steps.push({ t: "slice", start: a ? Number(a) : undefined, end: b ? Number(b) : undefined });
      } else if (/^(['"]).*\1$/.test(inner)) steps.push({ t: "field", name: inner.slice(1, -1) });
      else if (inner.startsWith("?(") && inner.endsWith(")")) steps.push(parseFilter(inner.slice(2, -1)));
      else throw new Error(`unrecognized identifier ${inner}`);
    } else {
      // A bare leading name (`spec.replicas`) is accepted too.
      const name = readName();
      if (name === "") throw new Error(`unrecognized character in action: ${c}`);
      steps.push({ t: "field", name });
    }
  }
  return steps;
}

function matchingBracket(src: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < src.length; j++) {
    const c = src[j];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) return j;
  }
  throw new Error("unclosed array expect ]");
}

function parseFilter(expr: string): Step {
  const m = /^\s*(@[^=!<>\s]*)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$/.exec(expr);
  if (!m) return { t: "filter", path: parseSteps(expr.trim()) };
  let raw = m[3];
  let value: unknown;
  if (/^(['"]).*\1$/.test(raw)) value = raw.slice(1, -1);
  else if (raw === "true" || raw === "false") value = raw === "true";
  else if (raw !== "" && !Number.isNaN(Number(raw))) value = Number(raw);
  else {
    raw = raw.trim();
    value = raw;
  }
  return { t: "filter", path: parseSteps(m[1]), op: m[2], value };
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (a === undefined) return false;
  switch (op) {
    case "==":
      return typeof a === "number" || typeof b === "number"
        ? Number(a) === Number(b)
        : String(a) === String(b);
    case "!=":
      return typeof a === "number" || typeof b === "number"
        ? Number(a) !== Number(b)
        : String(a) !== String(b);
    case "<":
      return Number(a) < Number(b);
    case ">":
      return Number(a) > Number(b);
    case "<=":
      return Number(a) <= Number(b);
    case ">=":
      return Number(a) >= Number(b);
  }
  return false;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObj(v))
    return Object.keys(v)
      .sort()
      .map((k) => v[k]);
  return [];
}

function descend(v: unknown, name: string | undefined, out: unknown[]): void {
  if (isObj(v)) {
    if (name === undefined) out.push(...children(v));
    else if (Object.hasOwn(v, name)) out.push(v[name]);
  }
  for (const c of children(v)) descend(c, name, out);
}

function run(steps: Step[], roots: unknown[]): unknown[] {
  let cur = roots;
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (s.t) {
        case "field":
          if (isObj(v) && Object.hasOwn(v, s.name)) next.push(v[s.name]);
          break;
        case "wild":
          next.push(...children(v));
          break;
        case "recursive":
          descend(v, s.name, next);
          break;
        case "index":
          if (Array.isArray(v)) {
            const e = v.at(s.i);
            if (e !== undefined && s.i < v.length && s.i >= -v.length) next.push(e);
          }
          break;
        case "slice":
          if (Array.isArray(v)) next.push(...v.slice(s.start ?? 0, s.end ?? v.length));
          break;
        case "filter":
          if (Array.isArray(v) || isObj(v)) {
            for (const e of children(v)) {
              const found = run(s.path, [e]);
              if (s.op === undefined ? found.length > 0 : found.some((f) => compare(f, s.op!, s.value)))
                next.push(e);
            }
          }
          break;
      }
    }
    cur = next;
  }
  return cur;
}

/** All results of a JSONPath expression (with or without the `{}` kubectl wraps templates in). */
export function jsonPathResults(obj: unknown, expr: string): unknown[] {
  let path = expr.trim();
  if (path.startsWith("{") && path.endsWith("}")) path = path.slice(1, -1).trim();
  return run(parseSteps(path), [obj]);
}

/** The first result of a JSONPath expression, or undefined (what printer columns and the scale subresource use). */
export function evalJsonPath(obj: unknown, expr: string): unknown {
  try {
    return jsonPathResults(obj, expr)[0];
  } catch {
    return undefined;
  }
}

/** Go's fmt.Print rendering of a decoded JSON value, as jsonpath prints a string column's cell. */
export function goPrint(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  if (typeof v === "object")
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goPrint((v as Record<string, unknown>)[k])}`)
      .join(" ")}]`;
  return String(v);
}

/** Checks that an expression parses; returns the error text otherwise. */
export function jsonPathError(expr: string): string | undefined {
  try {
    parseSteps(expr.trim());
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
