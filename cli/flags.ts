// Command-line flags parsed the way cobra/pflag parses eksctl's: `--flag value`, `--flag=value`, `-f value`,
// `-fvalue`, booleans without a value (`--approve`, `--wait=false`), repeatable and comma-separated lists, and
// pflag's error wording for the mistakes people make, since scripts match on it.

export type FlagType = "string" | "bool" | "int" | "duration" | "stringSlice" | "stringArray" | "stringMap";

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  usage: string;
  default?: string | number | boolean | string[];
  /** Deprecated aliases and the like: parsed, not listed in --help. */
  hidden?: boolean;
}

export type FlagValue = string | number | boolean | string[] | Record<string, string>;

export class FlagError extends Error {
  override name = "FlagError";
}

export interface Parsed {
  /** Values of the flags that were set, plus defaults (see `changed` for what the user gave). */
  values: Map<string, FlagValue>;
  changed: Set<string>;
  positionals: string[];
}

function describe(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

/** Go's time.ParseDuration for the forms people type: 25m, 1h30m, 90s, 500ms. Returns milliseconds. */
export function parseDuration(s: string): number | undefined {
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s)) !== null) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
    consumed = re.lastIndex;
  }
  return consumed === s.length && s.length > 0 ? total : undefined;
}

/** Go's Duration.String() for whole seconds: 25m0s, 1h5m0s, 30s. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

function convert(spec: FlagSpec, raw: string, prev: FlagValue | undefined): FlagValue {
  const bad = (why: string) =>
    new FlagError(`invalid argument ${JSON.stringify(raw)} for "${describe(spec)}" flag: ${why}`);
  switch (spec.type) {
    case "string":
      return raw;
    case "bool":
      if (["true", "1", "t", "T", "TRUE", "True"].includes(raw)) return true;
      if (["false", "0", "f", "F", "FALSE", "False"].includes(raw)) return false;
      throw bad(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
    case "int":
      if (!/^[+-]?\d+$/.test(raw))
        throw bad(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
      return Number(raw);
    case "duration": {
      const ms = parseDuration(raw);
      if (ms === undefined) throw bad(`time: invalid duration ${JSON.stringify(raw)}`);
      return ms;
    }
    case "stringSlice":
      return [...(Array.isArray(prev) ? prev : []), ...raw.split(",").filter((s) => s !== "")];
    case "stringArray":
      return [...(Array.isArray(prev) ? prev : []), raw];
    case "stringMap": {
      const out: Record<string, string> =
        prev && typeof prev === "object" && !Array.isArray(prev) ? { ...prev } : {};
      for (const pair of raw.split(",")) {
        if (pair === "") continue;
        const eq = pair.indexOf("=");
        if (eq < 0) throw bad(`${pair} must be formatted as key=value`);
        out[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      return out;
    }
  }
}

function defaults(specs: FlagSpec[]): Map<string, FlagValue> {
  const values = new Map<string, FlagValue>();
  for (const s of specs) {
    if (s.default === undefined) continue;
    if (s.type === "duration" && typeof s.default === "string") values.set(s.name, parseDuration(s.default)!);
    else values.set(s.name, s.default);
  }
  return values;
}

/** Parses `args` against `specs`; throws FlagError with pflag's wording. `--` ends the flags. */
export function parseFlags(args: string[], specs: FlagSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = defaults(specs);
  const changed = new Set<string>();
  const positionals: string[] = [];
  const set = (spec: FlagSpec, raw: string) => {
    // Lists start over when the user gives the flag: a default is replaced, not appended to.
    const prev = changed.has(spec.name) ? values.get(spec.name) : undefined;
    values.set(spec.name, convert(spec, raw, prev));
    changed.add(spec.name);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) set(spec, arg.slice(eq + 1));
      else if (spec.type === "bool") set(spec, "true");
      else if (i + 1 < args.length) set(spec, args[++i]);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A group of shorthands: -vw, or a shorthand with its value attached: -N3, -n=x.
      let j = 1;
      while (j < arg.length) {
        const c = arg[j];
        const spec = byShort.get(c);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${c}' in ${arg}`);
        const rest = arg.slice(j + 1);
        if (rest.startsWith("=")) {
          set(spec, rest.slice(1));
          break;
        }
        if (spec.type === "bool") {
          set(spec, "true");
          j++;
          continue;
        }
        if (rest !== "") set(spec, rest);
        else if (i + 1 < args.length) set(spec, args[++i]);
        else throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, changed, positionals };
}

/** The flag list of `--help`, aligned like cobra's. */
export function flagUsages(specs: FlagSpec[]): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const typeName =
        s.type === "bool"
          ? ""
          : s.type === "stringSlice" || s.type === "stringArray"
            ? " strings"
            : ` ${s.type}`;
      const left = `${s.short ? `-${s.short}, ` : "    "}--${s.name}${typeName}`;
      const dflt =
        s.default === undefined || s.default === false || s.default === ""
          ? ""
          : s.type === "string"
            ? ` (default "${s.default}")`
            : ` (default ${Array.isArray(s.default) ? `[${s.default.join(",")}]` : s.default})`;
      return [left, `${s.usage}${dflt}`];
    });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `  ${l.padEnd(width)}   ${r}`).join("\n");
}
