import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// Nodes as a kubelet and the node lifecycle controller keep them: Lease heartbeats, taints and taint-based
// eviction, DaemonSets following nodes, and a stopped kubelet turning its node NotReady. Real kubectl.

let k: TestCluster;
let nodes: string[];

beforeAll(async () => {
  k = await newCluster("nodes", 3);
  nodes = json(["get", "nodes"])
    .items.map((n: any) => n.metadata.name)
    .sort();
});

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);
const ok = (args: string[], input?: string) => {
  const r = k.kubectl(args, input);
  expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
};
const podsOf = (selector: string) => json(["get", "pods", "-l", selector]).items as any[];
const running = (pods: any[]) =>
  pods.filter((p) => p.status.phase === "Running" && !p.metadata.deletionTimestamp);
const condition = (node: any, type: string) =>
  node.status?.conditions?.find((c: any) => c.type === type)?.status;

describe("nodes, leases, taints and DaemonSets", () => {
  it("renews a Lease per node in kube-node-lease", async () => {
    const leases = await waitFor(
      () => {
        const items = json(["get", "leases", "-n", "kube-node-lease"]).items;
        return items.length === 3 ? items : undefined;
      },
      30_000,
      "three node leases",
    );
    expect(leases.map((l: any) => l.spec.holderIdentity).sort()).toEqual(nodes);
    expect(leases[0].spec.leaseDurationSeconds).toBe(40);
    const name = leases[0].metadata.name;
    const first = Date.parse(leases[0].spec.renewTime);
    await waitFor(
      () => Date.parse(json(["get", "lease", "-n", "kube-node-lease", name]).spec.renewTime) > first,
      45_000,
      "the lease to be renewed",
    );
    for (const n of json(["get", "nodes"]).items) expect(condition(n, "Ready")).toBe("True");
  });

  it("runs a DaemonSet pod per node, following nodes as they come and go, and rolls it", async () => {
    const ds = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: ${image}}]
`;
    ok(["apply", "-f", "-"], ds("busybox:1.36"));
    const status = k.kubectl(["rollout", "status", "ds/agent", "--timeout=60s"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('daemon set "agent" successfully rolled out');
    let pods = running(podsOf("app=agent"));
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes);
    expect(pods[0].spec.tolerations.map((t: any) => t.key)).toContain("node.kubernetes.io/unreachable");

    // A Node created through the API is run by the simulated kubelet and gets a daemon pod.
    ok(
      ["apply", "-f", "-"],
      "apiVersion: v1\nkind: Node\nmetadata: {name: extra-node, labels: {team: extra}}\n",
    );
    await waitFor(
      () => condition(json(["get", "node", "extra-node"]), "Ready") === "True",
      30_000,
      "the new node to be Ready",
    );
    const extra = json(["get", "node", "extra-node"]);
    expect(extra.status.allocatable.cpu).toBeTruthy();
    expect(extra.metadata.labels["kubernetes.io/hostname"]).toBe("extra-node");
    await waitFor(
      () => running(podsOf("app=agent")).some((p) => p.spec.nodeName === "extra-node"),
      45_000,
      "a daemon pod on the new node",
    );

    ok(["set", "image", "ds/agent", "agent=busybox:1.37"]);
    const rolled = k.kubectl(["rollout", "status", "ds/agent", "--timeout=90s"]);
    expect(rolled.code, rolled.stderr).toBe(0);
    pods = running(podsOf("app=agent"));
    expect(pods).toHaveLength(4);
    for (const p of pods) expect(p.spec.containers[0].image).toBe("busybox:1.37");
    expect(json(["get", "controllerrevisions", "-l", "app=agent"]).items).toHaveLength(2);
    expect(ok(["rollout", "history", "ds/agent"])).toMatch(/1\s+<none>\s+2\s+<none>/);

    ok(["delete", "node", "extra-node"]);
    await waitFor(
      () => {
        const d = json(["get", "ds", "agent"]);
        const now = podsOf("app=agent");
        return d.status.desiredNumberScheduled === 3 && now.length === 3 && running(now).length === 3;
      },
      45_000,
      "the daemon pod of the removed node to go",
    );
    ok(["delete", "ds", "agent"]);
  });

  it("surges a DaemonSet update (maxSurge): the new pod runs beside the old one until it is available", async () => {
    const ds = (image: string, rollingUpdate: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: surge}
spec:
  selector: {matchLabels: {app: surge}}
  minReadySeconds: 2
  updateStrategy: {type: RollingUpdate, rollingUpdate: ${rollingUpdate}}
  template:
    metadata: {labels: {app: surge}}
    spec:
      containers: [{name: c, image: ${image}}]
`;
    const refused = k.kubectl(["apply", "-f", "-"], ds("busybox:1.36", "{maxSurge: 1}"));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero",
    );
    const surge = "{maxSurge: 1, maxUnavailable: 0}";
    ok(["apply", "-f", "-"], ds("busybox:1.36", surge));
    expect(k.kubectl(["rollout", "status", "ds/surge", "--timeout=60s"]).code).toBe(0);

    ok(["apply", "-f", "-"], ds("busybox:1.37", surge));
    let surged = 0;
    await waitFor(
      () => {
        const pods = running(podsOf("app=surge"));
        const perNode = new Map<string, number>();
        for (const p of pods) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
        // Never a node without a running daemon pod, and at most maxSurge nodes with two.
        expect([...perNode.keys()].sort()).toEqual(nodes);
        const doubled = [...perNode.values()].filter((n) => n > 1).length;
        expect(doubled).toBeLessThanOrEqual(1);
        surged = Math.max(surged, doubled);
        return pods.length === 3 && pods.every((p) => p.spec.containers[0].image === "busybox:1.37");
      },
      120_000,
      "the surging update to finish",
    );
    expect(surged).toBe(1);
    const rolled = k.kubectl(["rollout", "status", "ds/surge", "--timeout=60s"]);
    expect(rolled.code, rolled.stderr).toBe(0);
    ok(["delete", "ds", "surge"]);
  });

  it("evicts untolerating pods from NoExecute-tainted nodes and places tolerating ones there", async () => {
    const [core, ...workload] = nodes;
    ok(["create", "deployment", "app", "--image=nginx:1.27", "--replicas=3"]);
    expect(k.kubectl(["rollout", "status", "deploy/app", "--timeout=60s"]).code).toBe(0);
    ok(["label", "node", core, "type=core"]);
    for (const n of workload) ok(["label", "node", n, "type=workload"]);
    for (const n of workload) ok(["taint", "nodes", n, "type=workload:NoExecute"]);
    await waitFor(
      () => {
        const pods = podsOf("app=app");
        return pods.length === 3 && running(pods).length === 3 && pods.every((p) => p.spec.nodeName === core);
      },
      60_000,
      "app pods evicted to the core node",
    );
    const evictions = json(["get", "events", "--field-selector", "reason=TaintManagerEviction"]).items;
    expect(evictions.length).toBeGreaterThan(0);

    ok(
      ["apply", "-f", "-"],
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  replicas: 4
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      nodeSelector: {type: workload}
      tolerations: [{key: type, operator: Equal, value: workload, effect: NoExecute}]
      containers: [{name: w, image: busybox}]
`,
    );
    expect(k.kubectl(["rollout", "status", "deploy/worker", "--timeout=60s"]).code).toBe(0);
    const placed = podsOf("app=worker");
    expect(placed).toHaveLength(4);
    for (const p of placed) expect(workload).toContain(p.spec.nodeName);
  });

  it("marks a node whose kubelet stops Unknown, taints it unreachable and evicts on tolerationSeconds", async () => {
    const victim = nodes[2];
    ok(
      ["apply", "-f", "-"],
      `apiVersion: v1
kind: Pod
metadata: {name: short}
spec:
  nodeSelector: {kubernetes.io/hostname: ${victim}}
  tolerations:
  - {key: type, operator: Exists, effect: NoExecute}
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
  containers: [{name: c, image: busybox}]
`,
    );
    await waitFor(
      () => json(["get", "pod", "short"]).status.phase === "Running",
      30_000,
      "pod short running",
    );
    ok(["annotate", "node", victim, "kumulus.io/kubelet=stopped"]);
    const down = await waitFor(
      () => {
        const n = json(["get", "node", victim]);
        const keys = (n.spec.taints ?? []).map((t: any) => `${t.key}:${t.effect}`);
        return condition(n, "Ready") === "Unknown" &&
          keys.includes("node.kubernetes.io/unreachable:NoExecute") &&
          keys.includes("node.kubernetes.io/unreachable:NoSchedule")
          ? n
          : undefined;
      },
      90_000,
      "the node to become unreachable",
    );
    const ready = down.status.conditions.find((c: any) => c.type === "Ready");
    expect(ready.reason).toBe("NodeStatusUnknown");
    expect(ready.message).toBe("Kubelet stopped posting node status.");
    expect(ok(["get", "nodes"])).toMatch(/NotReady/);
    // kube's node controller says so on the node and marks its pods not ready (they leave endpoints).
    await waitFor(
      () =>
        ok(["get", "events", "-A", "--field-selector", "reason=NodeNotReady"]).includes(
          `Node ${victim} status is now: NodeNotReady`,
        ) &&
        ok(["get", "events", "--field-selector", "involvedObject.name=short"]).includes("Node is not ready"),
      30_000,
      "NodeNotReady events on the node and its pod",
    );
    // Evicted: deleted through the API, so Terminating until its (stopped) kubelet confirms.
    await waitFor(
      () => {
        const r = k.kubectl(["get", "pod", "short", "-o", "json"]);
        return r.code !== 0 || JSON.parse(r.stdout).metadata.deletionTimestamp;
      },
      30_000,
      "pod short evicted",
    );
    // Pods with the default 300 s toleration stay for now.
    expect(podsOf("app=worker").some((p) => p.spec.nodeName === victim)).toBe(true);

    ok(["annotate", "node", victim, "kumulus.io/kubelet-"]);
    await waitFor(
      () => {
        const n = json(["get", "node", victim]);
        return (
          condition(n, "Ready") === "True" &&
          !(n.spec.taints ?? []).some((t: any) => t.key === "node.kubernetes.io/unreachable")
        );
      },
      45_000,
      "the node to recover",
    );
    // The restarted kubelet finishes the eviction.
    await waitFor(() => k.kubectl(["get", "pod", "short"]).code !== 0, 30_000, "pod short gone");
  }, 200_000);
});
