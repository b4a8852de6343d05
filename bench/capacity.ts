import { api, authHeaders, benchStack, readEvents, report, round, summarize } from "./lib.ts";

// Capacity on the local stack, through the EKS API and the whole control path:
// - CreateNodegroup of 10 m5.large nodes over 2 zones → all 10 Nodes Ready, over several groups;
// - 100 pods of a Deployment matching a Fargate profile, apply → Running, per pod (a watcher's view);
// and the cost report (GET /clusters/{name}/cost) each leaves behind.

const GROUPS = Number(process.env.BENCH_NODEGROUPS ?? 5);
const GROUP_NODES = Number(process.env.BENCH_NODEGROUP_NODES ?? 10);
const FARGATE_PODS = Number(process.env.BENCH_FARGATE_PODS ?? 100);
const stack = await benchStack({ tls: true });
const eks = (method: string, p: string, body?: unknown) => api(stack.url, method, p, body);

async function cluster(name: string): Promise<{ subnets: string[] }> {
  const res = await eks("POST", "/clusters", {
    name,
    version: "1.32",
    roleArn: "arn:aws:iam::000000000000:role/bench",
    resourcesVpcConfig: {},
  });
  if (res.status !== 200) throw new Error(`CreateCluster: ${res.status} ${JSON.stringify(res.body)}`);
  for (;;) {
    const d = await eks("GET", `/clusters/${name}`);
    if (d.body.cluster.status === "ACTIVE") return { subnets: d.body.cluster.resourcesVpcConfig.subnetIds };
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isReady = (o: any, type: string) =>
  (o?.status?.conditions ?? []).some((c: any) => c.type === type && c.status === "True");

/** Watches a collection from now; calls `seen` for each object event with the time it arrived. */
async function watch(base: string, p: string, seen: (type: string, o: any, at: number) => void) {
  const list = await api(base, "GET", p);
  const url = `${base}${p}${p.includes("?") ? "&" : "?"}watch=1&resourceVersion=${list.body.metadata.resourceVersion}`;
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal, headers: await authHeaders(url) });
  const done = readEvents(res, (ev, at) => ev.object?.metadata && seen(ev.type, ev.object, at));
  return async () => {
    abort.abort();
    await done;
  };
}

async function cost(name: string) {
  const r = await eks("GET", `/clusters/${name}/cost`);
  if (r.status !== 200) throw new Error(`cost: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as {
    hourlyCost: number;
    costSoFar: number;
    lines: {
      instanceType: string;
      capacityType: string;
      count: number;
      hourlyCost: number;
      costSoFar: number;
    }[];
  };
}

const costTable = (c: Awaited<ReturnType<typeof cost>>) =>
  [
    "| type | capacity type | live | $/hour | $ so far |",
    "|---|---|---|---|---|",
    ...c.lines.map(
      (l) =>
        `| ${l.instanceType} | ${l.capacityType} | ${l.count} | ${round(l.hourlyCost, 4)} | ${round(l.costSoFar, 6)} |`,
    ),
    `| **total** | | | **${round(c.hourlyCost, 4)}** | **${round(c.costSoFar, 6)}** |`,
  ].join("\n");

// Node groups: each run on its own cluster, so earlier nodes' heartbeats are the only background.
const ngTimes: number[] = [];
let ngCost: Awaited<ReturnType<typeof cost>> | undefined;
for (let g = 0; g < GROUPS; g++) {
  const name = `ng-bench-${g}`;
  const { subnets } = await cluster(name);
  const base = `${stack.url}/clusters/${name}`;
  const ready = new Set<string>();
  const stop = await watch(base, "/api/v1/nodes", (type, o) => {
    if (type !== "DELETED" && isReady(o, "Ready")) ready.add(o.metadata.name);
  });
  const t0 = performance.now();
  const r = await eks("POST", `/clusters/${name}/node-groups`, {
    nodegroupName: "bench",
    instanceTypes: ["m5.large"],
    scalingConfig: { minSize: GROUP_NODES, maxSize: GROUP_NODES, desiredSize: GROUP_NODES },
    subnets: subnets.slice(0, 2),
    nodeRole: "arn:aws:iam::000000000000:role/bench-node",
  });
  if (r.status !== 200) throw new Error(`CreateNodegroup: ${r.status} ${JSON.stringify(r.body)}`);
  while (ready.size < GROUP_NODES) await new Promise((res) => setTimeout(res, 20));
  ngTimes.push(performance.now() - t0);
  await stop();
  ngCost = await cost(name);
}
const ng = summarize(ngTimes);

// Fargate: one profile, one Deployment; per pod, ADDED → Running as a watcher sees it.
const fname = "fargate-bench";
const { subnets } = await cluster(fname);
const fp = await eks("POST", `/clusters/${fname}/fargate-profiles`, {
  fargateProfileName: "serverless",
  podExecutionRoleArn: "arn:aws:iam::000000000000:role/bench-fargate",
  subnets,
  selectors: [{ namespace: "serverless", labels: { compute: "fargate" } }],
});
if (fp.status !== 200) throw new Error(`CreateFargateProfile: ${fp.status} ${JSON.stringify(fp.body)}`);
while (
  (await eks("GET", `/clusters/${fname}/fargate-profiles/serverless`)).body.fargateProfile.status !== "ACTIVE"
)
  await new Promise((r) => setTimeout(r, 100));
const fbase = `${stack.url}/clusters/${fname}`;
await api(fbase, "POST", "/api/v1/namespaces", { metadata: { name: "serverless" } });
const created = new Map<string, number>();
const running = new Map<string, number>();
const stopPods = await watch(fbase, "/api/v1/namespaces/serverless/pods", (type, o, at) => {
  const name = o.metadata.name;
  if (type === "ADDED" && !created.has(name)) created.set(name, at);
  if (o.status?.phase === "Running" && !running.has(name)) running.set(name, at);
});
const t0 = performance.now();
const dep = await api(fbase, "POST", "/apis/apps/v1/namespaces/serverless/deployments", {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web" },
  spec: {
    replicas: FARGATE_PODS,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web", compute: "fargate" } },
      spec: {
        containers: [
          { name: "c", image: "nginx", resources: { requests: { cpu: "250m", memory: "256Mi" } } },
        ],
      },
    },
  },
});
if (dep.status !== 201) throw new Error(`create deployment: ${dep.status}`);
const deadline = Date.now() + Number(process.env.BENCH_TIMEOUT_S ?? 600) * 1000;
while (running.size < FARGATE_PODS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
const allRunningS = (performance.now() - t0) / 1000;
await stopPods();
const fargateCost = await cost(fname);
const startup = summarize([...running].filter(([n]) => created.has(n)).map(([n, t]) => t - created.get(n)!));

report(
  "capacity",
  {
    nodegroup: { runs: GROUPS, nodes: GROUP_NODES, toAllReadyMs: ng, cost: ngCost },
    fargate: {
      pods: FARGATE_PODS,
      running: running.size,
      allRunningS: round(allRunningS),
      startupMs: startup,
    },
    fargateCost,
  },
  `## Capacity: node groups and Fargate (\`bench/capacity.ts\`)

CreateNodegroup of ${GROUP_NODES} m5.large nodes over 2 zones until all ${GROUP_NODES} Nodes are Ready (a watcher's
view), ${GROUPS} groups, each on a new cluster:

| | p50 | p99 |
|---|---|---|
| CreateNodegroup → ${GROUP_NODES} nodes Ready | ${round(ng.p50 / 1000, 3)} s | ${round(ng.p99 / 1000, 3)} s |

EKS takes minutes for the same (instances boot and join).

Cost report of one such cluster right after (\`kumulus get cost\`; billing has EC2's one-minute minimum):

${ngCost ? costTable(ngCost) : ""}

A Deployment of ${FARGATE_PODS} pods (250m cpu, 256Mi each) matching a Fargate profile: each gets its own Fargate
node. ${running.size} of ${FARGATE_PODS} Running after ${round(allRunningS, 1)} s.

| | p50 | p99 |
|---|---|---|
| pod created → Running | ${round(startup.p50 / 1000, 3)} s | ${round(startup.p99 / 1000, 3)} s |

Its cost report (each pod is billed its provisioned size, here 0.25 vCPU and 0.5 GB: requests plus 256 MB,
rounded up to Fargate's table):

${costTable(fargateCost)}`,
);
await stack.stop();
process.exit(0);
