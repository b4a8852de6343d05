// Kubernetes quantities ("100m", "2", "128Mi", "1G") as plain numbers, for requests, limits, quotas and
// capacities. An unparsable quantity counts as 0: validation refuses those before they are stored.

const SUFFIX: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  m: 1e-3,
  "": 1,
};

export function parseQuantity(q: unknown): number {
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+(?:e[+-]?\d+)?)([a-zA-Z]*)$/.exec(String(q ?? "0").trim());
  if (!m || !(m[2] in SUFFIX)) return 0;
  return Number(m[1]) * SUFFIX[m[2]];
}
