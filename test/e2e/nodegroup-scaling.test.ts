import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type AwsKey, adminKeyOf } from "../auth.ts";
import { awsCli, awsCliEnv, newCluster, stackUrl, type TestCluster, waitFor } from "../helpers.ts";

// UpdateNodegroupConfig end to end with the real aws CLI: a group of 3 scaled to 5 and then to 2, with a label
// change in between, each `aws eks describe-update --nodegroup-name` reaching Successful; during the scale-in
// a Deployment of 4 pods under a PodDisruptionBudget (minAvailable 3) keeps 3 Ready pods, and ends with 4
// Running pods on the 2 nodes left. Every process is spawned without blocking, so polling can go on while
// the update call (which drains inline) runs.

const home = mkdtempSync(path.join(tmpdir(), "kumulus-ngscale-"));
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

const groupNodes = async () =>
  (await kjson(["get", "nodes", "-l", "eks.amazonaws.com/nodegroup=workers"])).items as any[];

beforeAll(async () => {
  url = stackUrl();
  admin = adminKeyOf(url);
  k = await newCluster("ngscale");
}, 120_000);

describe("aws eks update-nodegroup-config", () => {
  const ng = () => ["--cluster-name", k.name, "--nodegroup-name", "workers"];

  async function successful(update: any): Promise<void> {
    expect(update).toMatchObject({ type: "ConfigUpdate", status: "InProgress" });
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
      60_000,
      `update ${update.id} to succeed`,
    );
    expect((await aws(["eks", "describe-nodegroup", ...ng()])).nodegroup.status).toBe("ACTIVE");
  }

  it("scales 3 → 5 → 2, relabels the nodes and respects a PodDisruptionBudget on the way down", async () => {
    const subnets = (await aws(["eks", "describe-cluster", "--name", k.name])).cluster.resourcesVpcConfig
      .subnetIds;
    await aws([
      "eks",
      "create-nodegroup",
      ...ng(),
      "--node-role",
      "arn:aws:iam::000000000000:role/node",
      "--subnets",
      subnets[0],
      subnets[1],
      "--instance-types",
      "m5.large",
      "--scaling-config",
      "minSize=1,maxSize=6,desiredSize=3",
      "--labels",
      "team=a",
    ]);
    const w = await run(["eks", "wait", "nodegroup-active", ...ng()]);
    expect(w.code, w.stderr).toBe(0);
    expect(await groupNodes()).toHaveLength(3);

    // 3 → 5.
    const up = (await aws(["eks", "update-nodegroup-config", ...ng(), "--scaling-config", "desiredSize=5"]))
      .update;
    expect(up.params).toEqual([{ type: "DesiredSize", value: "5" }]);
    await successful(up);
    const five = await groupNodes();
    expect(five).toHaveLength(5);
    for (const n of five)
      expect(n.status.conditions.find((c: any) => c.type === "Ready")?.status).toBe("True");

    // Labels: on every node, and on the group.
    const relabel = (
      await aws([
        "eks",
        "update-nodegroup-config",
        ...ng(),
        "--labels",
        JSON.stringify({ addOrUpdateLabels: { team: "b", tier: "web" } }),
      ])
    ).update;
    expect(relabel.params).toEqual([{ type: "LabelsToAdd", value: '{"team":"b","tier":"web"}' }]);
    await successful(relabel);
    for (const n of await groupNodes()) expect(n.metadata.labels).toMatchObject({ team: "b", tier: "web" });
    const unlabel = (
      await aws([
        "eks",
        "update-nodegroup-config",
        ...ng(),
        "--labels",
        JSON.stringify({ removeLabels: ["tier"] }),
      ])
    ).update;
    await successful(unlabel);
    for (const n of await groupNodes()) {
      expect(n.metadata.labels.team).toBe("b");
      expect(n.metadata.labels.tier).toBeUndefined();
    }
    expect((await aws(["eks", "describe-nodegroup", ...ng()])).nodegroup.labels).toEqual({ team: "b" });

    // A workload under a budget.
    expect(
      (await k.kubectlP(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=4"])).code,
    ).toBe(0);
    const rollout = await k.kubectlP(["rollout", "status", "deploy/web", "--timeout=90s"]);
    expect(rollout.code, rollout.stderr).toBe(0);
    expect((await k.kubectlP(["create", "pdb", "web", "--selector=app=web", "--min-available=3"])).code).toBe(
      0,
    );
    await waitFor(
      async () => (await kjson(["get", "pdb", "web"])).status?.disruptionsAllowed === 1,
      60_000,
      "the budget's status",
    );

    const before = (await kjson(["get", "pods", "-l", "app=web"])).items.map((p: any) => p.spec.nodeName);

    // 5 → 2, watching the pods meanwhile.
    let done = false;
    let minReady = 4;
    const pending = run([
      "eks",
      "update-nodegroup-config",
      ...ng(),
      "--scaling-config",
      "desiredSize=2",
    ]).finally(() => {
      done = true;
    });
    while (!done) {
      const pods = (await kjson(["get", "pods", "-l", "app=web"])).items;
      minReady = Math.min(minReady, pods.filter(ready).length);
      await new Promise((r) => setTimeout(r, 200));
    }
    const down = await pending;
    expect(down.code, down.stderr).toBe(0);
    const downUpdate = JSON.parse(down.stdout).update;
    expect(downUpdate.params).toEqual([{ type: "DesiredSize", value: "2" }]);
    await successful(downUpdate);
    expect(minReady).toBeGreaterThanOrEqual(3);

    const two = await groupNodes();
    expect(two).toHaveLength(2);
    const names = new Set(two.map((n) => n.metadata.name));
    // Pods had to move (4 pods spread over 5 nodes, 3 of them removed): the budget was exercised.
    expect(before.filter((n: string) => !names.has(n)).length).toBeGreaterThanOrEqual(1);
    await waitFor(
      async () => {
        const pods = (await kjson(["get", "pods", "-l", "app=web"])).items;
        return pods.length === 4 && pods.every((p: any) => ready(p) && names.has(p.spec.nodeName));
      },
      60_000,
      "4 running pods on the 2 remaining nodes",
    );
    const list = await aws(["eks", "list-updates", "--name", k.name, "--nodegroup-name", "workers"]);
    expect(list.updateIds).toEqual([up.id, relabel.id, unlabel.id, downUpdate.id]);
    expect((await aws(["eks", "describe-nodegroup", ...ng()])).nodegroup.scalingConfig).toEqual({
      minSize: 1,
      maxSize: 6,
      desiredSize: 2,
    });

    await aws(["eks", "delete-nodegroup", ...ng()]);
    const d = await run(["eks", "wait", "nodegroup-deleted", ...ng()]);
    expect(d.code, d.stderr).toBe(0);
  }, 420_000);
});
