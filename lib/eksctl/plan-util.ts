// Comparisons the plan builders share. A field the file leaves unset is "no opinion": the plan compares only
// what the file says, so server-side defaults never show up as differences.

/** A value as the plan prints it. */
export function show(v: unknown): string {
  if (v === undefined || v === null) return "(unset)";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, x]) => `${k}: ${show(x)}`).join(", ")}}`;
  }
  return String(v);
}

export function change(field: string, from: unknown, to: unknown): string {
  return `${field}: ${show(from)} → ${show(to)}`;
}

/** Same members, order and duplicates aside. */
export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = [...new Set(a ?? [])].sort();
  const y = [...new Set(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** JSON with sorted keys, to compare nested values whatever order they were written in. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The desired value differs from the current one, where the file sets it. */
export function differs<T>(desired: T | undefined, current: T | undefined): desired is T {
  return desired !== undefined && canonical(desired) !== canonical(current);
}

/** "1.32" → [1, 32]; undefined for anything else. */
export function minorOf(version: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version ?? "");
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** <0, 0, >0 as a is older, the same as, newer than b; undefined when either is not "major.minor". */
export function compareVersions(a: string | undefined, b: string | undefined): number | undefined {
  const x = minorOf(a);
  const y = minorOf(b);
  if (!x || !y) return undefined;
  return x[0] !== y[0] ? x[0] - y[0] : x[1] - y[1];
}
