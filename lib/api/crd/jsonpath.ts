// The JSONPath subset additionalPrinterColumns use: `.a.b`, `.a[0]`, `.a[*].b` and `[?(@.type=="Ready")]`.
export function evalJsonPath(obj: unknown, expr: string): unknown {
  const path = expr.replace(/^\{|\}$/g, "").trim();
  const tokens = path.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let cur: unknown[] = [obj];
  for (const t of tokens) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      if (t.startsWith(".")) {
        if (typeof v === "object") next.push((v as Record<string, unknown>)[t.slice(1)]);
        continue;
      }
      const inner = t.slice(1, -1);
      if (!Array.isArray(v)) continue;
      if (inner === "*") next.push(...v);
      else if (/^-?\d+$/.test(inner)) next.push(v.at(Number(inner)));
      else {
        const m = /^\?\(@\.([\w.]+)\s*==\s*["']?([^"')]*)["']?\)$/.exec(inner);
        if (m)
          next.push(
            ...v.filter(
              (e) => e && typeof e === "object" && String((e as Record<string, unknown>)[m[1]]) === m[2],
            ),
          );
      }
    }
    cur = next.filter((x) => x !== undefined);
  }
  if (cur.length === 0) return undefined;
  return cur.length === 1
    ? cur[0]
    : cur.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(",");
}
