import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { allocatableOf, requireInstanceType } from "../../lib/capacity/catalog.ts";
import { type AwsKey, adminKeyOf } from "../auth.ts";
import { awsCliEnv, newCluster, stackUrl, type TestCluster } from "../helpers.ts";

// Managed node groups end to end: `aws eks create-nodegroup / describe-nodegroup / list-nodegroups /
// delete-nodegroup` and the `nodegroup-active` / `nodegroup-deleted` waiters, driven by the real aws CLI with
// the stack's admin key, and the nodes seen with kubectl.

const home = mkdtempSync(path.join(tmpdir(), "kumulus-nodegroups-"));
let url: string;
let admin: AwsKey;
let k: TestCluster;

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("aws", args, {
    encoding: "utf8",
    timeout: 120_000,
    env: awsCliEnv(url, admin, home),
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function aws(args: string[]): any {
  const r = run([...args, "--output", "json"]);
  expect(r.code, `aws ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

beforeAll(async () => {
  url = stackUrl();
  admin = adminKeyOf(url);
  k = await newCluster("ng");
}, 120_000);

describe("managed node groups through the aws CLI", () => {
  it("creates 3 m5.large nodes over 2 zones with the group's labels and taint, and deletes them", () => {
    const subnets = aws(["eks", "describe-cluster", "--name", k.name]).cluster.resourcesVpcConfig.subnetIds;
    const created = aws([
      "eks",
      "create-nodegroup",
      "--cluster-name",
      k.name,
      "--nodegroup-name",
      "workers",
      "--node-role",
      "arn:aws:iam::000000000000:role/node",
      "--subnets",
      subnets[0],
      subnets[1],
      "--instance-types",
      "m5.large",
      "--scaling-config",
      "minSize=1,maxSize=4,desiredSize=3",
      "--labels",
      "team=a",
      "--taints",
      "key=dedicated,value=gpu,effect=NO_SCHEDULE",
    ]).nodegroup;
    expect(created.status).toBe("CREATING");
    const w = run([
      "eks",
      "wait",
      "nodegroup-active",
      "--cluster-name",
      k.name,
      "--nodegroup-name",
      "workers",
    ]);
    expect(w.code, w.stderr).toBe(0);

    const ng = aws([
      "eks",
      "describe-nodegroup",
      "--cluster-name",
      k.name,
      "--nodegroup-name",
      "workers",
    ]).nodegroup;
    expect(ng).toMatchObject({
      status: "ACTIVE",
      version: "1.32",
      amiType: "AL2023_x86_64_STANDARD",
      capacityType: "ON_DEMAND",
      instanceTypes: ["m5.large"],
      scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 3 },
      labels: { team: "a" },
      taints: [{ key: "dedicated", value: "gpu", effect: "NO_SCHEDULE" }],
      health: { issues: [] },
    });
    expect(ng.resources.autoScalingGroups[0].name).toMatch(/^eks-workers-[0-9a-f-]{36}$/);
    expect(aws(["eks", "list-nodegroups", "--cluster-name", k.name]).nodegroups).toEqual(["workers"]);

    const dup = run([
      "eks",
      "create-nodegroup",
      "--cluster-name",
      k.name,
      "--nodegroup-name",
      "workers",
      "--node-role",
      "arn:aws:iam::000000000000:role/node",
      "--subnets",
      subnets[0],
    ]);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain("ResourceInUseException");
    const badType = run([
      "eks",
      "create-nodegroup",
      "--cluster-name",
      k.name,
      "--nodegroup-name",
      "bad",
      "--node-role",
      "arn:aws:iam::000000000000:role/node",
      "--subnets",
      subnets[0],
      "--instance-types",
      "m5.huge",
    ]);
    expect(badType.stderr).toContain("InvalidParameterException");
    expect(badType.stderr).toContain("m5.huge is not a valid instance type");

    const got = k.kubectl([
      "get",
      "nodes",
      "-L",
      "eks.amazonaws.com/nodegroup,node.kubernetes.io/instance-type,topology.kubernetes.io/zone",
      "-o",
      "json",
    ]);
    expect(got.code, got.stderr).toBe(0);
    const nodes = JSON.parse(got.stdout).items.filter(
      (n: any) => n.metadata.labels["eks.amazonaws.com/nodegroup"] === "workers",
    );
    expect(nodes).toHaveLength(3);
    const allocatable = allocatableOf(requireInstanceType("m5.large"));
    for (const n of nodes) {
      const l = n.metadata.labels;
      expect(l).toMatchObject({
        "node.kubernetes.io/instance-type": "m5.large",
        "eks.amazonaws.com/capacityType": "ON_DEMAND",
        "topology.kubernetes.io/region": "us-east-1",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": n.metadata.name,
        team: "a",
      });
      expect(n.metadata.name).toMatch(/^ip-192-168-\d+-\d+\.ec2\.internal$/);
      expect(n.spec.taints).toEqual([{ key: "dedicated", value: "gpu", effect: "NoSchedule" }]);
      expect(n.spec.providerID).toMatch(
        new RegExp(`^aws:///${l["topology.kubernetes.io/zone"]}/i-[0-9a-f]{17}$`),
      );
      expect(n.status.allocatable).toEqual(allocatable);
      expect(n.status.conditions.find((c: any) => c.type === "Ready")?.status).toBe("True");
    }
    expect(new Set(nodes.map((n: any) => n.metadata.labels["topology.kubernetes.io/zone"])).size).toBe(2);

    const deleting = aws([
      "eks",
      "delete-nodegroup",
      "--cluster-name",
      k.name,
      "--nodegroup-name",
      "workers",
    ]);
    expect(deleting.nodegroup.status).toBe("DELETING");
    const d = run([
      "eks",
      "wait",
      "nodegroup-deleted",
      "--cluster-name",
      k.name,
      "--nodegroup-name",
      "workers",
    ]);
    expect(d.code, d.stderr).toBe(0);
    const gone = run(["eks", "describe-nodegroup", "--cluster-name", k.name, "--nodegroup-name", "workers"]);
    expect(gone.stderr).toContain("ResourceNotFoundException");
    const after = k.kubectl(["get", "nodes", "-l", "eks.amazonaws.com/nodegroup=workers", "-o", "json"]);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).items).toEqual([]);
    expect(aws(["eks", "list-nodegroups", "--cluster-name", k.name]).nodegroups).toEqual([]);
  });

  it("refuses bad input with InvalidParameterException in EKS's wording, creating nothing", () => {
    const subnets = aws(["eks", "describe-cluster", "--name", k.name]).cluster.resourcesVpcConfig.subnetIds;
    const base = {
      clusterName: k.name,
      nodegroupName: "bad",
      nodeRole: "arn:aws:iam::000000000000:role/node",
      subnets: [subnets[0]],
      instanceTypes: ["m5.large"],
    };
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
    const cases: [Record<string, unknown>, string][] = [
      [{ instanceTypes: ["m5.huge"] }, "m5.huge is not a valid instance type."],
      [
        { scalingConfig: { minSize: 3, maxSize: 2, desiredSize: 2 } },
        "Minimum capacity 3 can't be greater than maximum capacity 2",
      ],
      [
        { scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 3 } },
        "Desired capacity 3 can't be greater than max size 2",
      ],
      [{ labels: many(51) }, "Number of labels 51 exceeds the limit of 50."],
      [
        { taints: Array.from({ length: 51 }, (_, i) => ({ key: `t${i}`, effect: "NO_SCHEDULE" })) },
        "Number of taints 51 exceeds the limit of 50.",
      ],
      [{ taints: [{ key: "a", effect: "NoSchedule" }] }, "Member must satisfy enum value set"],
    ];
    for (const [change, message] of cases) {
      const r = run(["eks", "create-nodegroup", "--cli-input-json", JSON.stringify({ ...base, ...change })]);
      expect(r.code, JSON.stringify(change)).not.toBe(0);
      expect(r.stderr).toContain("InvalidParameterException");
      expect(r.stderr).toContain(message);
    }
    expect(aws(["eks", "list-nodegroups", "--cluster-name", k.name]).nodegroups).toEqual([]);
  });
});
