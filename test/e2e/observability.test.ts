import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// The simulated metrics API (kubectl top), pods/log (kubectl logs) and the HorizontalPodAutoscaler, driven
// with the real kubectl.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("obs", 2);
});

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);

const PODS = `
apiVersion: v1
kind: Pod
metadata:
  name: hot
  annotations: {kumulus.io/cpu: 400m, kumulus.io/memory: 64Mi}
spec:
  containers: [{name: app, image: "nginx:1.27"}]
---
apiVersion: v1
kind: Pod
metadata:
  name: multi
spec:
  containers:
  - {name: a, image: "nginx:1.27", resources: {requests: {cpu: 200m, memory: 100Mi}}}
  - {name: b, image: "busybox:1.36"}
`;

const WEB = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {kumulus.io/cpu: 40m}
    spec:
      containers: [{name: web, image: "nginx:1.27", resources: {requests: {cpu: 100m}}}]
`;

/** GET with one retry: a kept-alive fetch connection can race the server's idle timeout ("other side closed"). */
async function api(p: string): Promise<any> {
  const once = async () => (await k.api("GET", p)).body;
  return once().catch(once);
}

const running = (name: string) =>
  k.kubectl(["get", "pod", name, "-o", "jsonpath={.status.phase}"]).stdout === "Running";

describe("observability", () => {
  it("serves metrics.k8s.io so kubectl top works", async () => {
    const r = k.kubectl(["apply", "-f", "-"], PODS);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => running("hot") && running("multi"), 60_000, "pods running");
    expect(k.kubectl(["api-versions"]).stdout).toContain("metrics.k8s.io/v1beta1");

    const nodes = k.kubectl(["top", "nodes"]);
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(nodes.stdout).toMatch(/CPU\(cores\)/);
    expect(nodes.stdout.trim().split("\n")).toHaveLength(3);

    const pods = k.kubectl(["top", "pods", "-A"]);
    expect(pods.code, pods.stderr).toBe(0);
    expect(pods.stdout).toMatch(/default\s+hot\s+400m\s+64Mi/);
    // Without knobs: 10% of the 200m request (20m) plus 1m for the container without one.
    expect(pods.stdout).toMatch(/default\s+multi\s+21m\s+/);

    const containers = k.kubectl(["top", "pod", "multi", "--containers"]);
    expect(containers.code, containers.stderr).toBe(0);
    expect(containers.stdout).toMatch(/multi\s+a\s+20m\s+30Mi/);
    expect(containers.stdout).toMatch(/multi\s+b\s+1m\s+8Mi/);

    const list = await api("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=x%3Dy");
    expect(list.items).toHaveLength(0);
    const one = await api("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/hot");
    expect(one.window).toBe("30s");
    expect(one.containers[0].usage).toEqual({ cpu: "400m", memory: "65536Ki" });
  });

  it("serves deterministic pod logs with kube's errors", async () => {
    const a = k.kubectl(["logs", "hot"]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.split("\n")[0]).toMatch(/^\S+Z app started \(image nginx:1\.27\)$/);
    const b = k.kubectl(["logs", "hot"]);
    expect(b.stdout.startsWith(a.stdout.split("\n")[0])).toBe(true);
    expect(k.kubectl(["logs", "hot", "--tail=1"]).stdout.trim().split("\n")).toHaveLength(1);
    expect(k.kubectl(["logs", "hot", "--timestamps"]).stdout).toMatch(/^\S+\.\d{9}Z \S+Z app started/);

    expect(k.kubectl(["logs", "multi", "-c", "b"]).stdout).toContain("b started (image busybox:1.36)");
    const noContainer = await api("/api/v1/namespaces/default/pods/multi/log");
    expect(noContainer.code).toBe(400);
    expect(noContainer.message).toBe(
      "a container name must be specified for pod multi, choose one of: [a b]",
    );
    const bad = k.kubectl(["logs", "multi", "-c", "zz"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("container zz is not valid for pod multi");
  });

  it("autoscales a Deployment from simulated cpu usage", async () => {
    expect(k.kubectl(["apply", "-f", "-"], WEB).code).toBe(0);
    expect(k.kubectl(["rollout", "status", "deploy/web", "--timeout=90s"]).code).toBe(0);
    const logs = k.kubectl(["logs", "deploy/web"]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain("web started (image nginx:1.27)");

    const auto = k.kubectl(["autoscale", "deploy", "web", "--cpu-percent=50", "--min=1", "--max=5"]);
    expect(auto.code, auto.stderr).toBe(0);
    const behavior = { spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 15 } } } };
    // The patch can meet the controller's concurrent status write (409): retry it as a client would.
    await waitFor(
      () => k.kubectl(["patch", "hpa", "web", "--type=merge", "-p", JSON.stringify(behavior)]).code === 0,
      30_000,
      "the behavior patch",
    );
    await waitFor(
      () =>
        json(["get", "hpa", "web"]).status?.currentMetrics?.[0]?.resource?.current?.averageUtilization === 40,
      60_000,
      "the HPA to read 40% cpu",
    );
    const hpa = json(["get", "hpa", "web"]);
    expect(hpa.status.currentReplicas).toBe(1);
    expect(hpa.status.conditions.find((c: any) => c.type === "ScalingActive").status).toBe("True");

    const hot = { spec: { template: { metadata: { annotations: { "kumulus.io/cpu": "200m" } } } } };
    expect(k.kubectl(["patch", "deploy", "web", "--type=merge", "-p", JSON.stringify(hot)]).code).toBe(0);
    await waitFor(() => json(["get", "deploy", "web"]).spec.replicas >= 3, 120_000, "scale up");
    const up = json(["get", "hpa", "web"]);
    expect(up.status.lastScaleTime).toBeTruthy();
    expect(k.kubectl(["describe", "hpa", "web"]).stdout).toMatch(/SucceededRescale|ReadyForNewScale/);
    // The event follows the scale write.
    await waitFor(
      () =>
        /SuccessfulRescale.*New size: \d+; reason: cpu resource utilization \(percentage of request\) above target/.test(
          k.kubectl(["describe", "hpa", "web"]).stdout,
        ),
      30_000,
      "a SuccessfulRescale event",
    );

    const cool = { spec: { template: { metadata: { annotations: { "kumulus.io/cpu": "5m" } } } } };
    expect(k.kubectl(["patch", "deploy", "web", "--type=merge", "-p", JSON.stringify(cool)]).code).toBe(0);
    await waitFor(() => json(["get", "deploy", "web"]).spec.replicas === 1, 150_000, "scale down to 1");
  });
});
