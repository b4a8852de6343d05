import { ensureNodes } from "../lib/kubelet/nodes.ts";
import { defaultStore } from "../lib/runtime/store.ts";
import { api, authHeaders, benchStack, readEvents, report, round, summarize } from "./lib.ts";

// End to end on the local stack: a Deployment of R replicas on N simulated nodes, through stream → router →
// SQS → controllers, scheduler and kubelets. Reports the time until all pods are Ready, per-pod startup
// latency (created → Ready, seen by a watcher) and committed writes per pod.

const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1000);
const NODES = Number(process.env.BENCH_NODES ?? 100);
const stack = await benchStack();
const base = `${stack.url}/clusters/bench`;
await ensureNodes("bench", NODES);
const store = defaultStore();
const ops0 = store.committer("bench").stats.ops;

const created = new Map<string, number>();
const ready = new Map<string, number>();
const bound = new Map<string, number>();
const abort = new AbortController();
const list = await api(base, "GET", "/api/v1/namespaces/default/pods");
const watchUrl = `${base}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`;
const res = await fetch(watchUrl, { signal: abort.signal, headers: await authHeaders(watchUrl) });
const watching = readEvents(res, (ev, at) => {
  const name = ev.object?.metadata?.name;
  if (!name) return;
  if (ev.type === "ADDED" && !created.has(name)) created.set(name, at);
  if (ev.object.spec?.nodeName && !bound.has(name)) bound.set(name, at);
  const isReady = (ev.object.status?.conditions ?? []).some(
    (c: any) => c.type === "Ready" && c.status === "True",
  );
  if (isReady && !ready.has(name)) ready.set(name, at);
});

const t0 = performance.now();
const r = await api(base, "POST", "/apis/apps/v1/namespaces/default/deployments", {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "bench" },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: "bench" } },
    template: {
      metadata: { labels: { app: "bench" } },
      spec: {
        containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "10m", memory: "16Mi" } } }],
      },
    },
  },
});
if (r.status !== 201) throw new Error(`create deployment: ${r.status}`);
const deadline = Date.now() + Number(process.env.BENCH_TIMEOUT_S ?? 600) * 1000;
while (ready.size < REPLICAS && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
const allReadyS = (performance.now() - t0) / 1000;
abort.abort();
await watching;
const writes = store.committer("bench").stats.ops - ops0;
await stack.stop();
const latencies = [...ready.entries()].filter(([n]) => created.has(n)).map(([n, t]) => t - created.get(n)!);
const s = summarize(latencies);
// Where the time goes: waiting to be scheduled (created → bound) and the kubelet (bound → Ready).
const toBind = summarize(
  [...bound.entries()].filter(([n]) => created.has(n)).map(([n, t]) => t - created.get(n)!),
);
const toReady = summarize(
  [...ready.entries()].filter(([n]) => bound.has(n)).map(([n, t]) => t - bound.get(n)!),
);
const firstCreated = Math.min(...created.values());
const lastCreated = Math.max(...created.values());
report(
  "pods-e2e",
  {
    replicas: REPLICAS,
    nodes: NODES,
    ready: ready.size,
    allReadySeconds: round(allReadyS),
    startupP50Ms: s.p50,
    startupP99Ms: s.p99,
    writesPerPod: round(writes / REPLICAS),
    createdOverSeconds: round((lastCreated - firstCreated) / 1000),
    bindP50Ms: toBind.p50,
    bindP99Ms: toBind.p99,
    kubeletP50Ms: toReady.p50,
    kubeletP99Ms: toReady.p99,
  },
  [
    "## Deployment end to end (`bench/pods-e2e.ts`)",
    "",
    "A Deployment on simulated nodes, through the whole control path. Startup = pod ADDED → Ready, as a watcher sees it.",
    "",
    "| replicas | nodes | Ready | all Ready (s) | startup p50 ms | startup p99 ms | committed writes per pod | goals |",
    "|---|---|---|---|---|---|---|---|",
    `| ${REPLICAS} | ${NODES} | ${ready.size} | ${round(allReadyS)} | ${s.p50} | ${s.p99} | ${round(writes / REPLICAS)} | p99 ≤ 5 s, all within 60 s |`,
    "",
    "Where a pod's startup goes: created → bound (waiting for the scheduler), bound → Ready (the kubelet).",
    "",
    "| pods created over (s) | bind p50 ms | bind p99 ms | kubelet p50 ms | kubelet p99 ms |",
    "|---|---|---|---|---|",
    `| ${round((lastCreated - firstCreated) / 1000)} | ${toBind.p50} | ${toBind.p99} | ${toReady.p50} | ${toReady.p99} |`,
    "",
    "Committed writes include the nodes' Lease renewals (one per node every 10 s) during the run.",
  ].join("\n"),
);
process.exit(0);
