import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { api, BENCH_CA_DIR, benchAdminKey, benchStack, report, round, summarize } from "./lib.ts";

// `kumulus create cluster -f` end to end, as a user runs it: the CLI binary in its own process against the
// local stack, timed from spawn to exit (node + tsx start included), for the eksworkshop.yaml of the seed
// (version line removed: 3 nodes over 3 zones) and for a config with 5 managed node groups. Each step's
// time comes from the CLI's own "<step> took <t>" lines. The cluster is deleted between runs (not timed).

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const ROOT = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(tmpdir(), "kumulus-bench-cli-"));
const stack = await benchStack({ tls: true });
const key = benchAdminKey();

const workshop = readFileSync(path.join(ROOT, "test/fixtures/eksworkshop.yaml"), "utf8").replace(
  /^\s*version: "1\.17"\n/m,
  "",
);

const fiveGroups = (name: string) => `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: ${name}
  region: us-east-1
managedNodeGroups:
${[1, 2, 3, 4, 5]
  .map((i) => `  - name: ng-${i}\n    instanceType: m5.large\n    desiredCapacity: 2\n`)
  .join("")}`;

const env = {
  PATH: process.env.PATH ?? "",
  HOME: dir,
  AWS_CONFIG_FILE: path.join(dir, "none"),
  AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
  AWS_ENDPOINT_URL: stack.url,
  AWS_CA_BUNDLE: path.join(BENCH_CA_DIR, "ca.pem"),
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: key.accessKeyId,
  AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
  KUBECONFIG: path.join(dir, "kubeconfig"),
};

function cli(args: string[]): Promise<{ code: number; out: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, "bin/kumulus.js"), ...args], { env });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d.toString();
    });
    p.stderr.on("data", (d) => {
      out += d.toString();
    });
    p.on("close", (code) => resolve({ code: code ?? -1, out, ms: performance.now() - t0 }));
  });
}

/** The CLI's step lines: `[ℹ]  <step> took 1.2s` → { step: ms }. */
function steps(out: string): Record<string, number> {
  const res: Record<string, number> = {};
  for (const m of out.matchAll(/\[.\] {2}(.+?) took (\d+(?:\.\d+)?)(ms|s)\b/g))
    res[m[1].replace(/"[^"]*"/g, '"…"')] = Number(m[2]) * (m[3] === "s" ? 1000 : 1);
  return res;
}

/**
 * Deletes a cluster between runs (untimed): node groups first, as EKS requires. The coredns
 * PodDisruptionBudget would hold each drain to its 45-second deadline, so it goes first.
 */
async function gone(name: string): Promise<void> {
  const wait = () => new Promise((r) => setTimeout(r, 100));
  await api(
    stack.url,
    "DELETE",
    `/clusters/${name}/apis/policy/v1/namespaces/kube-system/poddisruptionbudgets/coredns`,
  );
  const groups: string[] =
    (await api(stack.url, "GET", `/clusters/${name}/node-groups`)).body?.nodegroups ?? [];
  await Promise.all(groups.map((g) => api(stack.url, "DELETE", `/clusters/${name}/node-groups/${g}`)));
  while (((await api(stack.url, "GET", `/clusters/${name}/node-groups`)).body?.nodegroups ?? []).length)
    await wait();
  await api(stack.url, "DELETE", `/clusters/${name}`);
  while ((await api(stack.url, "GET", `/clusters/${name}`)).status === 200) await wait();
}

async function measure(label: string, text: (name: string) => string) {
  const totals: number[] = [];
  const perStep = new Map<string, number[]>();
  for (let i = 0; i < RUNS; i++) {
    const name = `${label}-${i}`;
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, text(name));
    const r = await cli(["create", "cluster", "-f", file]);
    if (r.code !== 0) throw new Error(`create cluster -f (${label} run ${i}) failed:\n${r.out}`);
    totals.push(r.ms);
    for (const [s, ms] of Object.entries(steps(r.out))) perStep.set(s, [...(perStep.get(s) ?? []), ms]);
    await gone(name);
  }
  return {
    total: summarize(totals),
    steps: Object.fromEntries([...perStep].map(([s, v]) => [s, summarize(v).p50])),
  };
}

// The CLI's own start (node, tsx, the SDK's modules), which every run pays.
const starts: number[] = [];
for (let i = 0; i < RUNS; i++) starts.push((await cli(["--help"])).ms);
const start = summarize(starts);

const eksworkshop = await measure("eksworkshop", (name) =>
  workshop.replace("name: eksworkshop-eksctl", `name: ${name}`),
);
const five = await measure("five-ngs", fiveGroups);
await stack.stop();

const stepRows = (r: { steps: Record<string, number> }) =>
  Object.entries(r.steps)
    .map(([s, ms]) => `| ${s} | ${round(ms / 1000, 3)} s |`)
    .join("\n") || "| (the CLI logged no step times) | |";

report(
  "cli-create",
  { runs: RUNS, cliStartMs: start, eksworkshop, fiveNodegroups: five },
  `## \`kumulus create cluster -f\` (\`bench/cli-create.ts\`)

The CLI binary in its own process against the local stack (HTTPS), ${RUNS} runs each, spawn to exit; the
cluster is deleted between runs. The CLI's own start (\`kumulus --help\`) is p50 ${round(start.p50 / 1000, 3)} s.

| config | p50 | p99 |
|---|---|---|
| eksworkshop.yaml (version line removed: 1 node group, 3 nodes, 3 zones, default add-ons) | ${round(eksworkshop.total.p50 / 1000, 3)} s | ${round(eksworkshop.total.p99 / 1000, 3)} s |
| 5 managed node groups × 2 nodes | ${round(five.total.p50 / 1000, 3)} s | ${round(five.total.p99 / 1000, 3)} s |

Steps (p50), eksworkshop.yaml:

| step | p50 |
|---|---|
${stepRows(eksworkshop)}

Steps (p50), 5 node groups:

| step | p50 |
|---|---|
${stepRows(five)}`,
);
process.exit(0);
