// The value trees operations answer and their two renderings: the query protocol's XML (lists as <member>,
// dates ISO-8601 to the second) and the JSON form STS gives a client that sends Accept: application/json
// (dates as epoch seconds, as AWS's JSON front end prints them).

export type Shape = string | number | boolean | Date | undefined | Shape[] | { [k: string]: Shape };

export function xmlEscape(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The children of an element holding `v`. */
export function xmlBody(v: Shape): string {
  if (v === undefined) return "";
  if (v instanceof Date) return isoSeconds(v);
  if (Array.isArray(v)) return v.map((m) => `<member>${xmlBody(m)}</member>`).join("");
  if (typeof v === "object") {
    return Object.entries(v)
      .filter(([, c]) => c !== undefined)
      .map(([k, c]) => `<${k}>${xmlBody(c)}</${k}>`)
      .join("");
  }
  return xmlEscape(String(v));
}

export function toJson(v: Shape): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(v)) if (c !== undefined) out[k] = toJson(c);
    return out;
  }
  return v;
}
