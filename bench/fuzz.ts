import { CANARY_NAMESPACE, fuzz } from "../test/fuzz/requests.ts";
import { api, authHeaders, benchStack, report } from "./lib.ts";

// The long run of the request fuzzer (test/fuzz/requests.ts; `npm test` runs a short one): BENCH_FUZZ_COUNT
// malformed requests (100,000 by default) against one cluster, counting answers by status. Any 5xx fails
// the run; so do changed canary objects, a dead server, or memory that keeps growing.

const COUNT = Number(process.env.BENCH_FUZZ_COUNT ?? 100_000);
const SEED = Number(process.env.BENCH_FUZZ_SEED ?? 1);
const stack = await benchStack();
const base = `${stack.url}/clusters/bench`;
await api(base, "POST", "/api/v1/namespaces", {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: "fuzz" },
});
await api(base, "POST", "/api/v1/namespaces", {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: CANARY_NAMESPACE },
});
for (const name of ["c1", "c2", "c3"])
  await api(base, "POST", `/api/v1/namespaces/${CANARY_NAMESPACE}/configmaps`, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name },
    data: { keep: name },
  });
const canary = async () =>
  JSON.stringify((await api(base, "GET", `/api/v1/namespaces/${CANARY_NAMESPACE}/configmaps`)).body.items);
const before = await canary();
const token = (await authHeaders(`${base}/api`)).authorization.slice("Bearer ".length);

const rss: number[] = [];
const totals: Record<number, number> = {};
const failures: string[] = [];
const started = performance.now();
const BATCH = 5_000;
for (let done = 0; done < COUNT; done += BATCH) {
  const out = await fuzz(base, token, SEED + done, Math.min(BATCH, COUNT - done), 16);
  for (const [s, n] of Object.entries(out.byStatus)) totals[Number(s)] = (totals[Number(s)] ?? 0) + n;
  failures.push(...out.failures.map((f) => `${f.status} ${f.req.method} ${f.req.path.slice(0, 100)}`));
  rss.push(Math.round(process.memoryUsage().rss / 2 ** 20));
  process.stderr.write(`${done + BATCH} requests, rss ${rss.at(-1)} MiB, failures ${failures.length}\n`);
}
const seconds = (performance.now() - started) / 1000;
const alive = (await api(base, "GET", "/api/v1/namespaces")).status === 200;
const canaryIntact = (await canary()) === before;
await stack.stop();

const fivexx = Object.entries(totals)
  .filter(([s]) => Number(s) >= 500)
  .reduce((a, [, n]) => a + n, 0);
const result = {
  requests: COUNT,
  seed: SEED,
  seconds: Math.round(seconds),
  byStatus: totals,
  fivexx,
  failures: failures.slice(0, 20),
  alive,
  canaryIntact,
  rssMiB: { first: rss[0], max: Math.max(...rss), last: rss.at(-1) },
};
const rows = Object.entries(totals)
  .sort(([a], [b]) => Number(a) - Number(b))
  .map(([s, n]) => `| ${Number(s) === -1 ? "cut by the client (watch, follow)" : s} | ${n} |`)
  .join("\n");
report(
  "fuzz",
  result,
  `## Request fuzzing (\`bench/fuzz.ts\`)

${COUNT.toLocaleString("en")} malformed requests (seed ${SEED}, 16 at a time) from \`test/fuzz/requests.ts\` against one
cluster of a local stack: odd paths, hostile query values, every content type, bodies of the wrong types,
truncated, deeply nested, up to 4 MiB, or in bad encodings. ${Math.round(seconds)} s in all.

| status | requests |
|---|---|
${rows}

Answers ≥ 500: **${fivexx}**. Canary objects unchanged: **${canaryIntact ? "yes" : "no"}**. Server alive at the end:
**${alive ? "yes" : "no"}**. Resident memory of the process serving (stack and client in one process), per 5,000
requests: first ${rss[0]} MiB, max ${Math.max(...rss)} MiB, last ${rss.at(-1)} MiB.`,
);
if (fivexx > 0 || !alive || !canaryIntact) process.exit(1);
