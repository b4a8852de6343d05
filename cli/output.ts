import { stringify } from "yaml";
import { CliError } from "./command.ts";
import type { FlagSpec } from "./flags.ts";

// The three printers of eksctl's `get` commands. Tables are Go's text/tabwriter with tab padding (minwidth 0,
// tabwidth 8, padding 1, padchar '\t'), as kops' tables print them: columns line up on 8-column tab stops.
// JSON is indented 4 spaces (json.MarshalIndent); YAML has sorted keys (sigs.k8s.io/yaml).

export type OutputFormat = "table" | "json" | "yaml";

export const outputFlag: FlagSpec = {
  name: "output",
  short: "o",
  type: "string",
  default: "table",
  usage: "specifies the output format (valid option: table, json, yaml)",
};

export function outputFormat(v: string | undefined): OutputFormat {
  const f = v ?? "table";
  if (f === "table" || f === "json" || f === "yaml") return f;
  throw new CliError(
    `unknown output printer type: expected {"yaml","json","table"} but got ${JSON.stringify(f)}`,
  );
}

const TAB_WIDTH = 8;

/** Go text/tabwriter with padchar '\t': every cell but the last in a row is followed by enough tabs. */
export function tabwrite(rows: string[][]): string {
  const cols = Math.max(0, ...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < cols - 1; c++) {
    const w = Math.max(0, ...rows.map((r) => [...(r[c] ?? "")].length)) + 1;
    widths.push(Math.ceil(w / TAB_WIDTH) * TAB_WIDTH);
  }
  return rows
    .map((r) =>
      r
        .map((cell, c) => {
          if (c === r.length - 1) return cell;
          const len = [...cell].length;
          return cell + "\t".repeat(Math.ceil((widths[c] - len) / TAB_WIDTH));
        })
        .join(""),
    )
    .map((l) => `${l}\n`)
    .join("");
}

export function table(headers: string[], rows: string[][]): string {
  return tabwrite([headers, ...rows]);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, "Z");
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

export function toJson(v: unknown): string {
  return `${JSON.stringify(v, (_k, x) => (x instanceof Date ? x.toISOString().replace(/\.\d{3}Z$/, "Z") : x), 4)}\n`;
}

export function toYaml(v: unknown): string {
  return stringify(sortKeys(v));
}

/** Map-valued fields whose keys are data, not field names: left as they are by pascalize. */
const MAP_FIELDS = new Set(["tags", "labels", "Tags", "Labels", "selectors-labels"]);

/** The AWS SDK for Go's PascalCase field names, which eksctl's JSON and YAML carry. */
export function pascalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pascalize);
  if (v instanceof Date) return v;
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== "$metadata")
        .map(([k, x]) => [k.charAt(0).toUpperCase() + k.slice(1), MAP_FIELDS.has(k) ? x : pascalize(x)]),
    );
  }
  return v;
}

/** RFC3339 without fractional seconds, as Go prints a time.Time. */
export function rfc3339(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "-";
}

/** Prints `data` in the chosen format; tables use `headers` and `rows`. */
export function print(
  out: { write(s: string): unknown },
  format: OutputFormat,
  data: unknown,
  headers: string[],
  rows: string[][],
): void {
  if (format === "json") out.write(toJson(data));
  else if (format === "yaml") out.write(toYaml(data));
  else out.write(table(headers, rows));
}
