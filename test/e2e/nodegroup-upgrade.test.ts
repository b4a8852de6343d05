import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type AwsKey, adminKeyOf } from "../auth.ts";
import { awsCli, awsCliEnv, newCluster, stackUrl, type TestCluster, waitFor } from "../helpers.ts";

// UpdateNodegroupVersion and DeleteNodegroup end to end with the real aws CLI and kubectl. A 1.32 cluster
// with a group of 3 nodes (maxUnavailable 1) runs a Deployment of 10 pods under a PodDisruptionBudget of
// minAvailable 8. The cluster goes to 1.33, then the group: a watcher polling the nodes and pods throughout
// checks that Ready pods never drop below 8 and that at most one old node is cordoned at a time; at the end
// every node is new (new names, image label and kubelet version) and describe-update says Successful. Then
// a second group takes the pods while the first is deleted: the delete drains under the same budget, and
// `aws eks wait nodegroup-deleted` returns.

const home = mkdtempSync(path.join(tmpdir(), "kumulus-ngup-"));
let url: string;
let admin: AwsKey;
let k: TestCluster;

const { run, json: aws } = awsCli(() => awsCliEnv(url, admin, home));

async function kjson(args: string[]): Promise<any> {
  const r = await k.kubectlP([...args, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const ready = (p: any) =>
  !p.metadata.deletionTimestamp &&
  p.status?.phase === "Running" &&
  (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");

const nodesOf = async (group: string) =>
  (await kjson(["get", "nodes", "-l", `eks.amazonaws.com/nodegroup=${group}`])).items as any[];

/** Polls nodes and pods until stopped: the fewest Ready pods seen, and the most cordoned `watched` nodes. */
function watch(watched: Set<string>) {
  let stop = false;
  const seen = { minReady: Number.POSITIVE_INFINITY, maxCordoned: 0, samples: 0, everCordoned: new Set() };
  const loop = (async () => {
    while (!stop) {
      const r = await k.kubectlP(["get", "nodes,pods", "-o", "json"]);
      if (r.code === 0) {
        const items = JSON.parse(r.stdout).items as any[];
        const pods = items.filter((o) => o.kind === "Pod" && o.metadata.labels?.app === "web");
        const cordoned = items.filter(
          (o) => o.kind === "Node" && watched.has(o.metadata.name) && o.spec?.unschedulable === true,
        );
        for (const n of cordoned) seen.everCordoned.add(n.metadata.name);
        seen.minReady = Math.min(seen.minReady, pods.filter(ready).length);
        seen.maxCordoned = Math.max(seen.maxCordoned, cordoned.length);
        seen.samples++;
      }
      await new Promise((res) => setTimeout(res, 150));
    }
  })();
  return {
    async done() {
      stop = true;
      await loop;
      return seen;
    },
  };
}

beforeAll(async () => {
  url = stackUrl();
  admin = adminKeyOf(url);
  k = await newCluster("ngup");
}, 120_000);

describe("aws eks update-nodegroup-version and delete-nodegroup", () => {
  const ng = (name = "workers") => ["--cluster-name", k.name, "--nodegroup-name", name];
  let subnets: string[];

  async function createGroup(name: string): Promise<void> {
    await aws([
      "eks",
      "create-nodegroup",
      ...ng(name),
      "--node-role",
      "arn:aws:iam::000000000000:role/node",
      "--subnets",
      subnets[0],
      subnets[1],
      "--instance-types",
      "m5.large",
      "--scaling-config",
      "minSize=1,maxSize=6,desiredSize=3",
      "--update-config",
      "maxUnavailable=1",
    ]);
    const w = await run(["eks", "wait", "nodegroup-active", ...ng(name)]);
    expect(w.code, w.stderr).toBe(0);
  }

  it("replaces every node under a PodDisruptionBudget, one old node at a time", async () => {
    subnets = (await aws(["eks", "describe-cluster", "--name", k.name])).cluster.resourcesVpcConfig.subnetIds;
    await createGroup("workers");
    const oldNodes = await nodesOf("workers");
    expect(oldNodes).toHaveLength(3);
    const oldNames = new Set<string>(oldNodes.map((n) => n.metadata.name));
    const oldImage = oldNodes[0].metadata.labels["eks.amazonaws.com/nodegroup-image"];
    expect(oldNodes[0].status.nodeInfo.kubeletVersion).toMatch(/^v1\.32\./);

    expect(
      (await k.kubectlP(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=10"])).code,
    ).toBe(0);
    const rollout = await k.kubectlP(["rollout", "status", "deploy/web", "--timeout=120s"]);
    expect(rollout.code, rollout.stderr).toBe(0);
    expect((await k.kubectlP(["create", "pdb", "web", "--selector=app=web", "--min-available=8"])).code).toBe(
      0,
    );
    await waitFor(
      async () => (await kjson(["get", "pdb", "web"])).status?.disruptionsAllowed === 2,
      60_000,
      "the budget's status",
    );

    // The control plane first; a node group cannot be newer than its cluster.
    const early = await run(["eks", "update-nodegroup-version", ...ng(), "--kubernetes-version", "1.33"]);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain("InvalidParameterException");
    const cu = (
      await aws(["eks", "update-cluster-version", "--name", k.name, "--kubernetes-version", "1.33"])
    ).update;
    await waitFor(
      async () =>
        (await aws(["eks", "describe-update", "--name", k.name, "--update-id", cu.id])).update.status ===
        "Successful",
      60_000,
      "the cluster version update",
    );

    const watcher = watch(oldNames);
    const update = (await aws(["eks", "update-nodegroup-version", ...ng()])).update;
    expect(update).toMatchObject({
      type: "VersionUpdate",
      status: "InProgress",
      params: [
        { type: "Version", value: "1.33" },
        { type: "ReleaseVersion", value: expect.stringMatching(/^1\.33\.\d+-\d{8}$/) },
      ],
    });
    // The answer comes before the work: the group is UPDATING, and a second update is refused.
    expect((await aws(["eks", "describe-nodegroup", ...ng()])).nodegroup.status).toBe("UPDATING");
    const second = await run(["eks", "update-nodegroup-version", ...ng()]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain("ResourceInUseException");

    await waitFor(
      async () =>
        (
          await aws([
            "eks",
            "describe-update",
            "--name",
            k.name,
            "--nodegroup-name",
            "workers",
            "--update-id",
            update.id,
          ])
        ).update.status === "Successful",
      300_000,
      "the node group version update",
    );
    const seen = await watcher.done();
    expect(seen.samples).toBeGreaterThan(3);
    expect(seen.minReady).toBeGreaterThanOrEqual(8);
    expect(seen.maxCordoned).toBeLessThanOrEqual(1);

    const group = (await aws(["eks", "describe-nodegroup", ...ng()])).nodegroup;
    expect(group).toMatchObject({
      status: "ACTIVE",
      version: "1.33",
      releaseVersion: update.params[1].value,
    });
    const newNodes = await nodesOf("workers");
    expect(newNodes).toHaveLength(3);
    for (const n of newNodes) {
      expect(oldNames.has(n.metadata.name)).toBe(false);
      expect(n.metadata.labels["eks.amazonaws.com/nodegroup-image"]).not.toBe(oldImage);
      expect(n.status.nodeInfo.kubeletVersion).toMatch(/^v1\.33\./);
      expect(n.spec.unschedulable).toBeUndefined();
    }
    const newNames = new Set(newNodes.map((n) => n.metadata.name));
    await waitFor(
      async () => {
        const pods = (await kjson(["get", "pods", "-l", "app=web"])).items;
        return pods.length === 10 && pods.every((p: any) => ready(p) && newNames.has(p.spec.nodeName));
      },
      90_000,
      "10 running pods on the new nodes",
    );
    const list = await aws(["eks", "list-updates", "--name", k.name, "--nodegroup-name", "workers"]);
    expect(list.updateIds).toEqual([update.id]);
  }, 480_000);

  it("drains a deleted group onto another one, the budget holding, and `wait nodegroup-deleted` returns", async () => {
    await createGroup("spare");
    const leaving = new Set<string>((await nodesOf("workers")).map((n) => n.metadata.name));
    const watcher = watch(leaving);
    const del = await aws(["eks", "delete-nodegroup", ...ng()]);
    expect(del.nodegroup.status).toBe("DELETING");
    const w = await run(["eks", "wait", "nodegroup-deleted", ...ng()]);
    expect(w.code, w.stderr).toBe(0);
    const seen = await watcher.done();
    expect(seen.minReady).toBeGreaterThanOrEqual(8);
    // The group's nodes were cordoned (not just deleted) while their pods moved.
    expect(seen.everCordoned.size).toBeGreaterThanOrEqual(1);
    expect(await nodesOf("workers")).toEqual([]);
    const gone = await run(["eks", "describe-nodegroup", ...ng()]);
    expect(gone.stderr).toContain("ResourceNotFoundException");
    const spare = new Set((await nodesOf("spare")).map((n) => n.metadata.name));
    await waitFor(
      async () => {
        const pods = (await kjson(["get", "pods", "-l", "app=web"])).items;
        return pods.length === 10 && pods.every((p: any) => ready(p) && spare.has(p.spec.nodeName));
      },
      90_000,
      "10 running pods on the other group's nodes",
    );
  }, 300_000);

  it("with --force, replaces nodes whose pods a budget will not let go", async () => {
    // No disruption allowed at all: only a forced update can move these pods.
    const patch = JSON.stringify({ spec: { minAvailable: 10 } });
    expect((await k.kubectlP(["patch", "pdb", "web", "--type=merge", "-p", patch])).code).toBe(0);
    await waitFor(
      async () => (await kjson(["get", "pdb", "web"])).status?.disruptionsAllowed === 0,
      60_000,
      "the budget to allow no disruption",
    );
    const cu = (
      await aws(["eks", "update-cluster-version", "--name", k.name, "--kubernetes-version", "1.34"])
    ).update;
    await waitFor(
      async () =>
        (await aws(["eks", "describe-update", "--name", k.name, "--update-id", cu.id])).update.status ===
        "Successful",
      60_000,
      "the cluster version update",
    );
    const oldNames = new Set((await nodesOf("spare")).map((n) => n.metadata.name));
    const update = (await aws(["eks", "update-nodegroup-version", ...ng("spare"), "--force"])).update;
    expect(update.params[0]).toEqual({ type: "Version", value: "1.34" });
    await waitFor(
      async () =>
        (
          await aws([
            "eks",
            "describe-update",
            "--name",
            k.name,
            "--nodegroup-name",
            "spare",
            "--update-id",
            update.id,
          ])
        ).update.status === "Successful",
      300_000,
      "the forced node group version update",
    );
    const nodes = await nodesOf("spare");
    expect(nodes).toHaveLength(3);
    for (const n of nodes) {
      expect(oldNames.has(n.metadata.name)).toBe(false);
      expect(n.status.nodeInfo.kubeletVersion).toMatch(/^v1\.34\./);
    }
    const names = new Set(nodes.map((n) => n.metadata.name));
    await waitFor(
      async () => {
        const pods = (await kjson(["get", "pods", "-l", "app=web"])).items;
        return pods.length === 10 && pods.every((p: any) => ready(p) && names.has(p.spec.nodeName));
      },
      90_000,
      "10 running pods on the new nodes",
    );
  }, 420_000);

  it("without --force, fails with PodEvictionFailure when a budget holds past the deadline", async () => {
    // The budget still allows no disruption (minAvailable 10 of 10).
    const cu = (
      await aws(["eks", "update-cluster-version", "--name", k.name, "--kubernetes-version", "1.35"])
    ).update;
    await waitFor(
      async () =>
        (await aws(["eks", "describe-update", "--name", k.name, "--update-id", cu.id])).update.status ===
        "Successful",
      60_000,
      "the cluster version update",
    );
    const oldNames = new Set((await nodesOf("spare")).map((n) => n.metadata.name));
    const update = (await aws(["eks", "update-nodegroup-version", ...ng("spare")])).update;
    let final: any;
    await waitFor(
      async () => {
        final = (
          await aws([
            "eks",
            "describe-update",
            "--name",
            k.name,
            "--nodegroup-name",
            "spare",
            "--update-id",
            update.id,
          ])
        ).update;
        return final.status !== "InProgress";
      },
      400_000,
      "the node group version update to end",
    );
    expect(final.status).toBe("Failed");
    expect(final.errors).toHaveLength(1);
    expect(final.errors[0]).toMatchObject({
      errorCode: "PodEvictionFailure",
      errorMessage: "Reached max retries while trying to evict pods from nodes in node group spare",
    });
    const group = (await aws(["eks", "describe-nodegroup", ...ng("spare")])).nodegroup;
    expect(group).toMatchObject({ status: "ACTIVE", version: "1.34" });
    // The replacement nodes went with the failure (the group is back at its desiredSize of 3), the old nodes
    // are schedulable again and the pods never left.
    const nodes = await waitFor(
      async () => {
        const now = await nodesOf("spare");
        return now.length === 3 ? now : undefined;
      },
      30_000,
      "the group back at 3 nodes",
    );
    for (const n of nodes) {
      expect(oldNames.has(n.metadata.name)).toBe(true);
      expect(n.spec.unschedulable).toBeUndefined();
    }
    const pods = (await kjson(["get", "pods", "-l", "app=web"])).items;
    expect(pods.filter(ready)).toHaveLength(10);
  }, 480_000);
});
