import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type AwsKey, adminKeyOf } from "../auth.ts";
import { awsCli, awsCliEnv, newCluster, stackUrl, type TestCluster, waitFor, writeTemp } from "../helpers.ts";

// EKS on Fargate end to end, with the real aws CLI and kubectl: a profile for namespace `serverless` and label
// compute=fargate; a Deployment of 3 matching pods gets 3 `fargate-ip-…` nodes sized by Fargate's table (the
// CapacityProvisioned annotation shows the rounding), pods elsewhere stay on EC2, a hostNetwork pod stays
// Pending with fargate-scheduler's reason, deleting the Deployment removes the nodes, and bad profiles are
// refused with InvalidParameterException without creating anything.

const home = mkdtempSync(path.join(tmpdir(), "kumulus-fargate-"));
let url: string;
let admin: AwsKey;
let k: TestCluster;
const ROLE = "arn:aws:iam::000000000000:role/fargate-pods";
const FARGATE_NODES = ["get", "nodes", "-l", "eks.amazonaws.com/compute-type=fargate"];

const { run, json: aws } = awsCli(() => awsCliEnv(url, admin, home));

async function kjson(args: string[]): Promise<any> {
  const r = await k.kubectlP([...args, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function kubectl(args: string[], input?: string): Promise<string> {
  if (input === undefined) {
    const r = await k.kubectlP(args);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  }
  // Manifests go through a file argument: kubectlP has no stdin.
  const r = await k.kubectlP([...args, "-f", writeTemp("m.yaml", input)]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const createProfile = (name: string, selectors?: unknown[]) =>
  run([
    "eks",
    "create-fargate-profile",
    "--cluster-name",
    k.name,
    "--fargate-profile-name",
    name,
    "--pod-execution-role-arn",
    ROLE,
    ...(selectors ? ["--selectors", JSON.stringify(selectors)] : []),
  ]);

beforeAll(async () => {
  url = stackUrl();
  admin = adminKeyOf(url);
  k = await newCluster("fargate", 1);
}, 120_000);

describe("Fargate profiles and the Fargate scheduler", () => {
  it("refuses bad profiles with InvalidParameterException and creates nothing", async () => {
    const cases: [string, unknown[] | undefined][] = [
      ["eks-x", [{ namespace: "serverless" }]],
      ["no-selector", undefined],
      ["too-many", ["a", "b", "c", "d", "e", "f"].map((namespace) => ({ namespace }))],
    ];
    for (const [name, selectors] of cases) {
      const r = await createProfile(name, selectors);
      expect(r.code, name).not.toBe(0);
      expect(r.stderr, name).toContain("InvalidParameterException");
    }
    const list = await aws(["eks", "list-fargate-profiles", "--cluster-name", k.name]);
    expect(list.fargateProfileNames).toEqual([]);
  });

  it("runs matching pods on their own sized Fargate nodes, and only those", async () => {
    const created = await createProfile("fp-serverless", [
      { namespace: "serverless", labels: { compute: "fargate" } },
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).fargateProfile.status).toBe("CREATING");
    const w = await run([
      "eks",
      "wait",
      "fargate-profile-active",
      "--cluster-name",
      k.name,
      "--fargate-profile-name",
      "fp-serverless",
    ]);
    expect(w.code, w.stderr).toBe(0);
    const described = await aws([
      "eks",
      "describe-fargate-profile",
      "--cluster-name",
      k.name,
      "--fargate-profile-name",
      "fp-serverless",
    ]);
    expect(described.fargateProfile).toMatchObject({
      fargateProfileName: "fp-serverless",
      clusterName: k.name,
      status: "ACTIVE",
      podExecutionRoleArn: ROLE,
      selectors: [{ namespace: "serverless", labels: { compute: "fargate" } }],
    });

    await kubectl(["create", "namespace", "serverless"]);
    // 0.5 vCPU and 1 GiB + 256 MB: Fargate rounds the memory up to the 0.5 vCPU size's 2 GB.
    await kubectl(
      ["apply"],
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: serverless}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, compute: fargate}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources: {requests: {cpu: 500m, memory: 1Gi}}
`,
    );
    const pods = await waitFor(
      async () => {
        const items = (await kjson(["get", "pods", "-n", "serverless", "-l", "app=web"])).items as any[];
        const running = items.filter((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp);
        return running.length === 3 ? running : undefined;
      },
      90_000,
      "3 Running Fargate pods",
    );
    for (const p of pods) {
      expect(p.spec.schedulerName).toBe("fargate-scheduler");
      expect(p.metadata.labels["eks.amazonaws.com/fargate-profile"]).toBe("fp-serverless");
      expect(p.metadata.annotations.CapacityProvisioned).toBe("0.5vCPU 2GB");
      expect(p.spec.nodeName).toMatch(/^fargate-ip-\d+-\d+-\d+-\d+\.us-east-1\.compute\.internal$/);
    }
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3);

    const nodes = (await kjson(FARGATE_NODES)).items as any[];
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(pods.map((p) => p.spec.nodeName).sort());
    for (const n of nodes) {
      expect(n.spec.taints).toContainEqual({
        key: "eks.amazonaws.com/compute-type",
        value: "fargate",
        effect: "NoSchedule",
      });
      expect(n.metadata.labels["kubernetes.io/hostname"]).toBe(n.metadata.name.replace(/^fargate-/, ""));
      // 0.5 × $0.04048 + 2 × $0.004445 per hour.
      expect(Number(n.metadata.annotations["kumulus.io/price-per-hour"])).toBeCloseTo(0.02913, 5);
      expect(n.metadata.annotations["kumulus.io/instance-id"]).toMatch(/^i-[0-9a-f]{17}$/);
    }

    // The same labels in another namespace: the default scheduler, an EC2 node.
    await kubectl(["run", "ec2", "--image=nginx:1.27", "--labels=compute=fargate"]);
    const ec2 = await waitFor(
      async () => {
        const p = await kjson(["get", "pod", "ec2"]);
        return p.spec.nodeName ? p : undefined;
      },
      60_000,
      "the default-namespace pod to be scheduled",
    );
    expect(ec2.spec.schedulerName).toBe("default-scheduler");
    expect(ec2.spec.nodeName).not.toMatch(/^fargate-/);

    // Deleting the Deployment removes its pods' nodes.
    await kubectl(["delete", "deployment", "web", "-n", "serverless"]);
    await waitFor(
      async () => ((await kjson(FARGATE_NODES)).items.length === 0 ? true : undefined),
      90_000,
      "the Fargate nodes to go",
    );
  });

  it("keeps a pod Fargate cannot run Pending with fargate-scheduler's reason", async () => {
    await kubectl(
      ["apply"],
      `apiVersion: v1
kind: Pod
metadata: {name: hostnet, namespace: serverless, labels: {compute: fargate}}
spec:
  hostNetwork: true
  containers:
  - {name: c, image: nginx:1.27}
`,
    );
    const pod = await waitFor(
      async () => {
        const p = await kjson(["get", "pod", "hostnet", "-n", "serverless"]);
        const c = (p.status?.conditions ?? []).find((x: any) => x.type === "PodScheduled");
        return c?.status === "False" ? p : undefined;
      },
      60_000,
      "the hostNetwork pod to be refused",
    );
    expect(pod.status.phase).toBe("Pending");
    expect(pod.spec.nodeName).toBeUndefined();
    const cond = pod.status.conditions.find((x: any) => x.type === "PodScheduled");
    expect(cond.message).toMatch(/^Pod not supported on Fargate: fields not supported: HostNetwork/);
    const events = (
      await kjson(["get", "events", "-n", "serverless", "--field-selector", "involvedObject.name=hostnet"])
    ).items as any[];
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "Warning",
        reason: "FailedScheduling",
        source: expect.objectContaining({ component: "fargate-scheduler" }),
      }),
    );
    await kubectl(["delete", "pod", "hostnet", "-n", "serverless"]);
  });

  it("blocks DeleteCluster while a profile exists; deleting a profile takes its pods and ends at a 404", async () => {
    // A cluster without node groups, so the profile is what blocks it.
    const bare = await newCluster("fargate-del");
    const profile = { namespace: "jobs" };
    const c = await run([
      "eks",
      "create-fargate-profile",
      "--cluster-name",
      bare.name,
      "--fargate-profile-name",
      "fp-jobs",
      "--pod-execution-role-arn",
      ROLE,
      "--selectors",
      JSON.stringify([profile]),
    ]);
    expect(c.code, c.stderr).toBe(0);
    const blocked = await run(["eks", "delete-cluster", "--name", bare.name]);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain(
      "ResourceInUseException) when calling the DeleteCluster operation: Cluster has Fargate Profiles in ACTIVE/CREATING state",
    );
    const active = ["--cluster-name", bare.name, "--fargate-profile-name", "fp-jobs"];
    const w1 = await run(["eks", "wait", "fargate-profile-active", ...active]);
    expect(w1.code, w1.stderr).toBe(0);

    // A pod running under fp-serverless goes with it, and so does its Fargate node.
    await kubectl(["run", "solo", "-n", "serverless", "--image=nginx:1.27", "--labels=compute=fargate"]);
    await waitFor(
      async () => {
        const p = await kjson(["get", "pod", "solo", "-n", "serverless"]);
        return p.status?.phase === "Running" && p.spec.nodeName?.startsWith("fargate-") ? p : undefined;
      },
      60_000,
      "a pod on Fargate",
    );

    for (const [cluster, name] of [
      [k.name, "fp-serverless"],
      [bare.name, "fp-jobs"],
    ]) {
      const args = ["--cluster-name", cluster, "--fargate-profile-name", name];
      const d = await aws(["eks", "delete-fargate-profile", ...args]);
      expect(d.fargateProfile.status).toBe("DELETING");
      const w = await run(["eks", "wait", "fargate-profile-deleted", ...args]);
      expect(w.code, w.stderr).toBe(0);
      const gone = await run(["eks", "describe-fargate-profile", ...args]);
      expect(gone.stderr).toContain("ResourceNotFoundException");
      expect(
        (await aws(["eks", "list-fargate-profiles", "--cluster-name", cluster])).fargateProfileNames,
      ).toEqual([]);
    }
    await waitFor(
      async () => {
        const pods = (await kjson(["get", "pods", "-n", "serverless"])).items as any[];
        const nodes = (await kjson(FARGATE_NODES)).items as any[];
        return pods.every((p) => p.metadata.name !== "solo") && nodes.length === 0 ? true : undefined;
      },
      60_000,
      "the profile's pod and node to go",
    );
    const deleted = await aws(["eks", "delete-cluster", "--name", bare.name]);
    expect(deleted.cluster.status).toBe("DELETING");
  }, 180_000);
});
