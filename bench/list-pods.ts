import { defaultStore } from "../lib/runtime/store.ts";
import { api, authHeaders, benchStack, report, round, runConcurrent, summarize } from "./lib.ts";

// A list of 5,000 pods in one namespace (Pending, marked Unschedulable by the scheduler): time, and the
// DynamoDB read units it consumed.

const PODS = Number(process.env.BENCH_PODS ?? 5000);
const stack = await benchStack();
const base = `${stack.url}/clusters/bench`;
const path = "/api/v1/namespaces/default/pods";
const pod = (i: number) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `pod-${i}`, labels: { app: "bench", shard: String(i % 10) } },
  spec: {
    containers: [
      {
        name: "app",
        image: "nginx:1.27",
        ports: [{ containerPort: 80 }],
        resources: { requests: { cpu: "100m", memory: "128Mi" } },
      },
    ],
  },
});
const t0 = performance.now();
await runConcurrent(PODS, 32, async (i) => {
  const r = await api(base, "POST", path, pod(i));
  if (r.status !== 201) throw new Error(`create pod ${i}: ${r.status} ${JSON.stringify(r.body)}`);
});
const createSeconds = (performance.now() - t0) / 1000;
// The bench cluster has no nodes: the scheduler marks every pod Unschedulable (a status write and an event
// each). Measure once that has settled, so the lists time listing and not the scheduler's concurrent writes.
const settleBy = performance.now() + 180_000;
for (;;) {
  const r = await api(base, "GET", path);
  const done = r.body.items.filter((p: any) =>
    p.status?.conditions?.some((c: any) => c.type === "PodScheduled"),
  );
  if (done.length >= PODS || performance.now() > settleBy) break;
  await new Promise((res) => setTimeout(res, 3000));
}
const store = defaultStore();
const times: number[] = [];
const units: number[] = [];
let count = 0;
for (let i = 0; i < 5; i++) {
  const before = store.consumed.read;
  const t = performance.now();
  const r = await api(base, "GET", path);
  times.push(performance.now() - t);
  units.push(store.consumed.read - before);
  count = r.body.items.length;
}
const tableT = performance.now();
const table = await fetch(`${base}${path}`, {
  headers: await authHeaders(`${base}${path}`, {
    headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
  }),
});
await table.text();
const tableMs = performance.now() - tableT;
await stack.stop();
const s = summarize(times);
report(
  "list-pods",
  {
    pods: PODS,
    listed: count,
    p50Ms: s.p50,
    maxMs: round(Math.max(...times)),
    readUnits: round(units[0]),
    tableMs: round(tableMs),
    createPerSec: round(PODS / createSeconds, 0),
  },
  [
    "## List of 5,000 pods (`bench/list-pods.ts`)",
    "",
    "| pods | list p50 ms | list max ms | read units per list | Table (kubectl get) ms | creates/s while loading (32 clients) | goal |",
    "|---|---|---|---|---|---|---|",
    `| ${count} | ${s.p50} | ${round(Math.max(...times))} | ${round(units[0])} | ${round(tableMs)} | ${round(PODS / createSeconds, 0)} | ≤ 2 s |`,
  ].join("\n"),
);
process.exit(0);
