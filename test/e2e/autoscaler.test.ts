import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type AwsKey, adminKeyOf, signedFetch } from "../auth.ts";
import { awsCli, awsCliEnv, newCluster, stackUrl, type TestCluster, waitFor } from "../helpers.ts";

// The Cluster Autoscaler end to end, with the aws CLI and kubectl: two node groups opted in with CA's
// auto-discovery tags, a cheap one (t3.medium, max 5) and a pricier one (m5.large, max 2), both with a
// 10-second scale-down-unneeded-time tag. A pod that no group's nodes would take is told so
// (NotTriggerScaleUp with the selector reason). 20 pods of 1200m, one per 2-vCPU node, fit nowhere: the
// cheap group grows to its max (the price expander), then the pricier one, and the pods left are told
// "max node group size reached". Once the Deployment is gone, both groups come back to minSize. Then the
// capacity knob takes t3.medium away: the cheap group's scale-up fails (FailedScaleUp), it backs off, and the
// pricier group grows instead.

const home = mkdtempSync(path.join(tmpdir(), "kumulus-ca-"));
let url: string;
let admin: AwsKey;
let k: TestCluster;

const { run, json: aws } = awsCli(() => awsCliEnv(url, admin, home));

async function kjson(args: string[]): Promise<any> {
  const r = await k.kubectlP([...args, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const ng = (name: string) => ["--cluster-name", k.name, "--nodegroup-name", name];
const describeGroup = async (name: string) =>
  (await aws(["eks", "describe-nodegroup", ...ng(name)])).nodegroup;
const readyNodes = async (name: string) =>
  ((await kjson(["get", "nodes", "-l", `eks.amazonaws.com/nodegroup=${name}`])).items as any[]).filter((n) =>
    (n.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"),
  );
const eventsOf = async (reason: string) =>
  (await kjson(["get", "events", "-A", "--field-selector", `reason=${reason}`])).items as any[];

/** A Deployment of pods of 1200m: one per 2-vCPU node. */
function applyBigPods(name: string, replicas: number): void {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: "app", image: "nginx:1.27", resources: { requests: { cpu: "1200m", memory: "256Mi" } } },
          ],
        },
      },
    },
  };
  const applied = k.kubectl(["apply", "-f", "-"], JSON.stringify(deployment));
  expect(applied.code, applied.stderr).toBe(0);
}

beforeAll(async () => {
  url = stackUrl();
  admin = adminKeyOf(url);
  k = await newCluster("autoscale");
}, 120_000);

describe("Cluster Autoscaler on opted-in managed node groups", () => {
  it("scales the cheapest fitting group up within maxSize, explains the rest, and scales back down", async () => {
    const subnets = (await aws(["eks", "describe-cluster", "--name", k.name])).cluster.resourcesVpcConfig
      .subnetIds;
    const tags = JSON.stringify({
      "k8s.io/cluster-autoscaler/enabled": "true",
      [`k8s.io/cluster-autoscaler/${k.name}`]: "owned",
      "k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownunneededtime": "10s",
    });
    const create = (name: string, type: string, max: number) =>
      aws([
        "eks",
        "create-nodegroup",
        ...ng(name),
        "--node-role",
        "arn:aws:iam::000000000000:role/node",
        "--subnets",
        subnets[0],
        subnets[1],
        "--instance-types",
        type,
        "--scaling-config",
        `minSize=1,maxSize=${max},desiredSize=1`,
        "--tags",
        tags,
      ]);
    await create("cheap", "t3.medium", 5);
    await create("pricey", "m5.large", 2);
    for (const name of ["cheap", "pricey"]) {
      const w = await run(["eks", "wait", "nodegroup-active", ...ng(name)]);
      expect(w.code, w.stderr).toBe(0);
    }
    const asg = (await describeGroup("cheap")).resources.autoScalingGroups[0].name;
    const pricierAsg = (await describeGroup("pricey")).resources.autoScalingGroups[0].name;

    // A pod no group's nodes would take: nothing grows, and the pod is told why.
    expect(
      (
        await k.kubectlP([
          "run",
          "nowhere",
          "--image=nginx:1.27",
          "--overrides",
          JSON.stringify({ spec: { nodeSelector: { accelerator: "tpu" } } }),
        ])
      ).code,
    ).toBe(0);
    const selectorEvent = await waitFor(
      async () => (await eventsOf("NotTriggerScaleUp")).find((e) => e.involvedObject.name === "nowhere"),
      60_000,
      "NotTriggerScaleUp on the pod with the unknown selector",
    );
    expect(selectorEvent.message).toBe(
      "pod didn't trigger scale-up: 2 node(s) didn't match Pod's node affinity/selector",
    );
    expect(selectorEvent.source.component).toBe("cluster-autoscaler");
    expect((await describeGroup("cheap")).scalingConfig.desiredSize).toBe(1);
    expect((await k.kubectlP(["delete", "pod", "nowhere", "--wait=false"])).code).toBe(0);

    // 20 pods of 1200m: one per 2-vCPU node.
    applyBigPods("burst", 20);

    // The cheap group first, up to its max, with Ready nodes.
    await waitFor(
      async () => (await describeGroup("cheap")).scalingConfig.desiredSize === 5,
      90_000,
      "the cheap group to grow to 5",
    );
    await waitFor(async () => (await readyNodes("cheap")).length === 5, 60_000, "5 Ready cheap nodes");
    const triggered = await waitFor(
      async () => {
        const ev = (await eventsOf("TriggeredScaleUp")).filter((e) => e.message.includes(asg));
        return ev.length >= 4 ? ev : undefined;
      },
      60_000,
      "TriggeredScaleUp events for the cheap group",
    );
    expect(triggered[0].message).toBe(`pod triggered scale-up: [{${asg} 1->5 (max: 5)}]`);
    expect(triggered[0].involvedObject.kind).toBe("Pod");

    // Then the pricier one, to its max of 2; the pods beyond both maxima are told so.
    await waitFor(
      async () => (await describeGroup("pricey")).scalingConfig.desiredSize === 2,
      90_000,
      "the pricier group to grow to 2",
    );
    const pricierEvent = await waitFor(
      async () => (await eventsOf("TriggeredScaleUp")).find((e) => e.message.includes(pricierAsg)),
      60_000,
      "TriggeredScaleUp for the pricier group",
    );
    expect(pricierEvent.message).toBe(`pod triggered scale-up: [{${pricierAsg} 1->2 (max: 2)}]`);
    await waitFor(
      async () =>
        (await eventsOf("NotTriggerScaleUp")).some(
          (e) => e.message === "pod didn't trigger scale-up: 2 max node group size reached",
        ),
      90_000,
      "NotTriggerScaleUp: max node group size reached",
    );
    const pods = (await kjson(["get", "pods", "-l", "app=burst"])).items as any[];
    expect(pods.filter((p) => p.spec.nodeName)).toHaveLength(7);
    expect((await describeGroup("cheap")).scalingConfig).toEqual({ minSize: 1, maxSize: 5, desiredSize: 5 });
    expect((await describeGroup("pricey")).scalingConfig).toEqual({ minSize: 1, maxSize: 2, desiredSize: 2 });

    // Once the pods go, the empty nodes go too (10 s unneeded), back to minSize.
    expect((await k.kubectlP(["delete", "deployment", "burst"])).code).toBe(0);
    await waitFor(
      async () =>
        (await describeGroup("cheap")).scalingConfig.desiredSize === 1 &&
        (await describeGroup("pricey")).scalingConfig.desiredSize === 1,
      180_000,
      "both groups back to minSize",
    );
    await waitFor(
      async () => (await readyNodes("cheap")).length === 1 && (await readyNodes("pricey")).length === 1,
      60_000,
      "one node left in each group",
    );
    const removed = (await eventsOf("ScaleDown")).filter((e) => e.involvedObject.kind === "Node");
    expect(removed.filter((e) => e.message === "node removed by cluster autoscaler")).toHaveLength(5);
    expect(removed.some((e) => e.message === "marked the node as toBeDeleted/unschedulable")).toBe(true);
  }, 600_000);

  it("backs a group off after a failed scale-up (the capacity knob) and grows the next cheapest", async () => {
    // Kumulus' capacity knob: EC2 has no t3.medium for this cluster now, so the cheap group cannot grow.
    const knob = (body: object) =>
      signedFetch(
        `${url}/clusters/${k.name}/capacity/offerings`,
        { method: "PUT", body: JSON.stringify(body), headers: { "content-type": "application/json" } },
        admin,
      );
    const off = await knob({ instanceType: "t3.medium", available: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ unavailableOfferings: [{ instanceType: "t3.medium" }] });
    const bad = await knob({ instanceType: "t9.huge", available: false });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe("t9.huge is not a valid instance type.");

    // 4 pods of 1200m: two fit the groups' idle nodes, two need new ones.
    applyBigPods("scarce", 4);

    const failed = await waitFor(
      async () => (await eventsOf("FailedScaleUp")).find((e) => e.involvedObject.name.startsWith("scarce-")),
      90_000,
      "FailedScaleUp on a pod the cheap group was to take",
    );
    expect(failed.type).toBe("Warning");
    expect(failed.message).toMatch(
      /^Node scale up in zones us-east-1\w,us-east-1\w associated with this pod failed: .+\. Pod is at risk of not being scheduled\.$/,
    );
    // The cheap group is back at what it has; the pricier one grows instead.
    await waitFor(
      async () => (await describeGroup("pricey")).scalingConfig.desiredSize === 2,
      90_000,
      "the pricier group to grow while the cheap one is in backoff",
    );
    expect((await describeGroup("cheap")).scalingConfig.desiredSize).toBe(1);
    await waitFor(
      async () =>
        (await eventsOf("NotTriggerScaleUp")).some(
          (e) =>
            e.message ===
            "pod didn't trigger scale-up: 1 in backoff after failed scale-up, 1 max node group size reached",
        ),
      90_000,
      "NotTriggerScaleUp naming the backoff",
    );

    const on = await knob({ instanceType: "t3.medium", available: true });
    expect(await on.json()).toEqual({ unavailableOfferings: [] });
    expect((await k.kubectlP(["delete", "deployment", "scarce"])).code).toBe(0);
  }, 300_000);
});
