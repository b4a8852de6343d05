import { api, authHeaders, benchStack, readEvents, report, summarize } from "./lib.ts";

// Watch delivery lag: from a write's acknowledgement to the event arriving at a watcher, through the real
// path (DynamoDB Local stream → stream poller → router → watch log → watch response).

const N = Number(process.env.BENCH_WATCH_EVENTS ?? 300);
const stack = await benchStack();
const base = `${stack.url}/clusters/bench`;
const path = "/api/v1/namespaces/default/configmaps";

const acked = new Map<string, number>();
const lags: number[] = [];
const abort = new AbortController();
const res = await fetch(`${base}${path}?watch=1&resourceVersion=0`, {
  signal: abort.signal,
  headers: await authHeaders(`${base}${path}`),
});
// An event can arrive before the writer has recorded its acknowledgement: keep it until the ack is known.
const pending = new Map<string, number>();
const received = readEvents(res, (ev, at) => {
  const rv = ev.object?.metadata?.resourceVersion;
  if (!rv) return;
  const t = acked.get(rv);
  if (t !== undefined) lags.push(at - t);
  else pending.set(rv, at);
});
const settle = () => {
  for (const [rv, at] of pending) {
    const t = acked.get(rv);
    if (t !== undefined) {
      lags.push(Math.max(0, at - t));
      pending.delete(rv);
    }
  }
};
await new Promise((r) => setTimeout(r, 300));
let rv = "";
for (let i = 0; i < N; i++) {
  const body = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "lag", ...(rv ? { resourceVersion: rv } : {}) },
    data: { i: String(i) },
  };
  const r = i === 0 ? await api(base, "POST", path, body) : await api(base, "PUT", `${path}/lag`, body);
  rv = r.body.metadata.resourceVersion;
  acked.set(rv, performance.now());
  await new Promise((r) => setTimeout(r, 5));
}
const deadline = Date.now() + 10_000;
while (lags.length < N && Date.now() < deadline) {
  settle();
  await new Promise((r) => setTimeout(r, 50));
}
abort.abort();
await received;
await stack.stop();
const s = summarize(lags);
report(
  "watch-lag",
  { events: N, received: s.n, p50Ms: s.p50, p99Ms: s.p99 },
  [
    "## Watch delivery lag (`bench/watch-lag.ts`)",
    "",
    `${N} sequential updates of one ConfigMap; lag = event received by a watcher − write acknowledged.`,
    "",
    "| events | received | p50 ms | p99 ms | goal |",
    "|---|---|---|---|---|",
    `| ${N} | ${s.n} | ${s.p50} | ${s.p99} | p99 ≤ 250 ms |`,
  ].join("\n"),
);
process.exit(0);
