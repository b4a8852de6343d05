import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// Control loops through the real path: objects → stream → router → SQS → controllers, scheduler and
// simulated kubelets → back through the API. Driven with the real kubectl.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("workloads", 3);
});

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);

describe("workloads on simulated nodes", () => {
  it("has three Ready nodes over several zones and a default ServiceAccount", async () => {
    const nodes = json(["get", "nodes"]).items;
    expect(nodes).toHaveLength(3);
    expect(
      new Set(nodes.map((n: any) => n.metadata.labels["topology.kubernetes.io/zone"])).size,
    ).toBeGreaterThanOrEqual(2);
    await waitFor(() => k.kubectl(["get", "sa", "default"]).code === 0, 20_000, "default ServiceAccount");
  });

  it("rolls out a 6-replica Deployment, updates it, rolls back and heals", async () => {
    expect(
      k.kubectl(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=6", "--port=80"]).code,
    ).toBe(0);
    const first = k.kubectl(["rollout", "status", "deploy/web", "--timeout=90s"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('deployment "web" successfully rolled out');
    const pods = json(["get", "pods", "-l", "app=web"]).items;
    expect(pods).toHaveLength(6);
    for (const p of pods) expect(p.status.phase).toBe("Running");
    expect(new Set(pods.map((p: any) => p.spec.nodeName)).size).toBe(3);

    expect(k.kubectl(["set", "image", "deploy/web", "nginx=nginx:1.28"]).code).toBe(0);
    expect(k.kubectl(["rollout", "status", "deploy/web", "--timeout=90s"]).code).toBe(0);
    expect(json(["get", "rs"]).items).toHaveLength(2);
    expect(k.kubectl(["rollout", "history", "deploy/web"]).stdout).toMatch(/1\s+<none>\s+2\s+<none>/);
    const undo = k.kubectl(["rollout", "undo", "deploy/web"]);
    expect(undo.code, undo.stderr).toBe(0);
    expect(k.kubectl(["rollout", "status", "deploy/web", "--timeout=90s"]).code).toBe(0);
    expect(
      k.kubectl(["get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]).stdout,
    ).toBe("nginx:1.27");

    const victim = json(["get", "pods", "-l", "app=web"]).items[0].metadata.name;
    expect(k.kubectl(["delete", "pod", victim, "--wait=false"]).code).toBe(0);
    await waitFor(
      () => {
        const now = json(["get", "pods", "-l", "app=web"]).items;
        return (
          now.length === 6 &&
          !now.some((p: any) => p.metadata.name === victim) &&
          now.every((p: any) => p.status.phase === "Running")
        );
      },
      30_000,
      "the deployment to heal",
    );

    expect(k.kubectl(["scale", "deploy/web", "--replicas=2"]).code).toBe(0);
    await waitFor(() => json(["get", "pods", "-l", "app=web"]).items.length === 2, 30_000, "scale down");
  });

  it("gives a Service a ClusterIP and endpoints of the ready pods", async () => {
    expect(k.kubectl(["expose", "deploy/web", "--port=80"]).code).toBe(0);
    const svc = json(["get", "svc", "web"]);
    expect(svc.spec.clusterIP).toMatch(/^10\.100\./);
    await waitFor(
      () => {
        // The endpoints controller creates the object a moment after the Service: NotFound until then.
        const r = k.kubectl(["get", "endpoints", "web", "-o", "json"]);
        return r.code === 0 && (JSON.parse(r.stdout).subsets?.[0]?.addresses ?? []).length === 2;
      },
      30_000,
      "endpoints",
    );
    // The slice is written right after the Endpoints object, by the same reconcile.
    await waitFor(
      () => {
        const slices = json(["get", "endpointslices", "-l", "kubernetes.io/service-name=web"]).items;
        return slices[0]?.endpoints?.filter((e: any) => e.conditions.ready).length === 2;
      },
      30_000,
      "endpoint slices",
    );
    // A LoadBalancer Service gets a NodePort and a simulated AWS load balancer hostname.
    expect(
      k.kubectl(["expose", "deploy/web", "--name=web-lb", "--type=LoadBalancer", "--port=80"]).code,
    ).toBe(0);
    expect(json(["get", "svc", "web-lb"]).spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    const host = await waitFor(
      () => json(["get", "svc", "web-lb"]).status?.loadBalancer?.ingress?.[0]?.hostname as string | undefined,
      30_000,
      "a load balancer hostname",
    );
    expect(host).toMatch(/^k8s-default-weblb-[0-9a-f]{10}-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/);
    expect(k.kubectl(["get", "svc", "web-lb"]).stdout).toContain(host);
    // An address or port someone already holds is refused, naming the field.
    const taken = k.kubectl([
      "create",
      "service",
      "clusterip",
      "dup",
      "--tcp=80:80",
      `--clusterip=${svc.spec.clusterIP}`,
    ]);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain(`spec.clusterIPs: Invalid value: []string{"${svc.spec.clusterIP}"}`);
    expect(taken.stderr).toContain("provided IP is already allocated");
    // ExternalName Services get no ClusterIP and no endpoints.
    expect(k.kubectl(["create", "service", "externalname", "ext", "--external-name=example.com"]).code).toBe(
      0,
    );
    expect(json(["get", "svc", "ext"]).spec.clusterIP).toBeUndefined();
  });

  it("leaves a pod no node satisfies Pending with a FailedScheduling event", async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: picky}
spec:
  nodeSelector: {type: gpu}
  containers: [{name: c, image: busybox}]
`;
    expect(k.kubectl(["apply", "-f", "-"], pod).code).toBe(0);
    await waitFor(
      () =>
        k.kubectl(["get", "events", "--field-selector", "reason=FailedScheduling"]).stdout.includes("picky"),
      30_000,
      "FailedScheduling",
    );
    const ev = json([
      "get",
      "events",
      "--field-selector",
      "involvedObject.name=picky,reason=FailedScheduling",
    ]).items[0];
    expect(ev.message).toContain(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
    );
    expect(json(["get", "pod", "picky"]).status.phase).toBe("Pending");
  });

  it("garbage-collects ReplicaSets and pods when the Deployment goes", async () => {
    expect(k.kubectl(["delete", "deploy", "web"]).code).toBe(0);
    await waitFor(
      () =>
        json(["get", "rs"]).items.length === 0 && json(["get", "pods", "-l", "app=web"]).items.length === 0,
      30_000,
      "garbage collection",
    );
  });

  it("deletes in the foreground (dependents first) and orphans on request", async () => {
    expect(k.kubectl(["create", "deployment", "fg", "--image=nginx", "--replicas=2"]).code).toBe(0);
    expect(k.kubectl(["rollout", "status", "deploy/fg", "--timeout=90s"]).code).toBe(0);
    const fg = k.kubectl(["delete", "deploy", "fg", "--cascade=foreground", "--timeout=90s"]);
    expect(fg.code, fg.stderr).toBe(0);
    // kubectl waited for the Deployment, which went only after its ReplicaSet and pods.
    expect(json(["get", "rs", "-l", "app=fg"]).items).toHaveLength(0);
    expect(json(["get", "pods", "-l", "app=fg"]).items).toHaveLength(0);

    expect(k.kubectl(["create", "deployment", "orph", "--image=nginx", "--replicas=2"]).code).toBe(0);
    expect(k.kubectl(["rollout", "status", "deploy/orph", "--timeout=90s"]).code).toBe(0);
    const or = k.kubectl(["delete", "deploy", "orph", "--cascade=orphan", "--timeout=90s"]);
    expect(or.code, or.stderr).toBe(0);
    const rs = json(["get", "rs", "-l", "app=orph"]).items;
    expect(rs).toHaveLength(1);
    expect(rs[0].metadata.ownerReferences).toBeUndefined();
    expect(json(["get", "pods", "-l", "app=orph"]).items).toHaveLength(2);
  });
});
