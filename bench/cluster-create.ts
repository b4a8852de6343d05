import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { writeKubeconfig } from "../cli/kubeconfig.ts";
import { defaultStore } from "../lib/runtime/store.ts";
import { api, authHeaders, benchStack, report, round, summarize } from "./lib.ts";

// CreateCluster → ACTIVE, and → the first successful `kubectl get ns`, over 20 clusters created one after
// another on the local stack (default add-ons included); then what an idle cluster writes, with no nodes
// and with 3, measured over a window and scaled to an hour.

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const stack = await benchStack({ tls: true });
const dir = mkdtempSync(path.join(tmpdir(), "kumulus-bench-"));
const body = (name: string, nodes = 0) => ({
  name,
  version: "1.32",
  roleArn: "arn:aws:iam::000000000000:role/bench",
  resourcesVpcConfig: {},
  nodes,
});

const kubectlOk = (kubeconfig: string) =>
  new Promise<boolean>((resolve) => {
    const p = spawn(KUBECTL, ["--kubeconfig", kubeconfig, "get", "ns"], { stdio: "ignore" });
    p.on("close", (code) => resolve(code === 0));
  });

const toActive: number[] = [];
const toKubectl: number[] = [];
for (let i = 0; i < CLUSTERS; i++) {
  const name = `create-${i}`;
  const kubeconfig = path.join(dir, `${name}.kubeconfig`);
  const t0 = performance.now();
  const res = await api(stack.url, "POST", "/clusters", body(name));
  if (res.status !== 200) throw new Error(`CreateCluster: ${res.status} ${JSON.stringify(res.body)}`);
  while ((await api(stack.url, "GET", `/clusters/${name}`)).body.cluster.status !== "ACTIVE");
  toActive.push(performance.now() - t0);
  // The token kubectl would get from `aws eks get-token`, made here so the measure is not the aws CLI's start.
  const token = (await authHeaders(`${stack.url}/clusters/${name}/api`)).authorization.slice(
    "Bearer ".length,
  );
  writeKubeconfig(kubeconfig, name, stack.url, Buffer.from(stack.caPem ?? "").toString("base64"), { token });
  while (!(await kubectlOk(kubeconfig)));
  toKubectl.push(performance.now() - t0);
}

async function idleWrites(name: string, nodes: number): Promise<number> {
  await api(stack.url, "POST", "/clusters", body(name, nodes));
  await new Promise((r) => setTimeout(r, 15_000)); // let pods start and add-ons settle
  const c = defaultStore().committer(name).stats;
  const before = c.ops;
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  return ((c.ops - before) * 3600) / IDLE_SECONDS;
}
const idleNoNodes = await idleWrites("idle-0", 0);
const idleThreeNodes = await idleWrites("idle-3", 3);

const active = summarize(toActive);
const first = summarize(toKubectl);
report(
  "cluster-create",
  {
    clusters: CLUSTERS,
    toActiveMs: active,
    toFirstGetNsMs: first,
    idleWritesPerHour: { idleNoNodes, idleThreeNodes },
  },
  `## Cluster creation and idle cost (\`bench/cluster-create.ts\`)

${CLUSTERS} clusters created one after another through CreateCluster (default add-ons: vpc-cni, kube-proxy,
coredns), on the local stack.

| | p50 | p99 |
|---|---|---|
| CreateCluster → ACTIVE | ${round(active.p50 / 1000, 3)} s | ${round(active.p99 / 1000, 3)} s |
| CreateCluster → first successful \`kubectl get ns\` | ${round(first.p50 / 1000, 3)} s | ${round(first.p99 / 1000, 3)} s |

EKS takes about 10 minutes to ACTIVE; the goal here was under 1 s.

Idle cluster, committed object writes per hour (each is one DynamoDB transaction item plus one watch-log
entry), measured over ${IDLE_SECONDS} s after a 15 s settle:

| cluster | writes/hour |
|---|---|
| no nodes | ${round(idleNoNodes, 0)} |
| 3 nodes | ${round(idleThreeNodes, 0)} |

With nodes, the writes are the simulated kubelets' heartbeats: each node renews its Lease every 10 s
(360/hour) and reports its status, as kube's kubelet does.`,
);
await stack.stop();
process.exit(0);
