import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { requireInstanceType } from "../../lib/capacity/catalog.ts";
import { type AwsKey, adminKeyOf, signedFetch } from "../auth.ts";
import { awsCliEnv, newCluster, stackUrl, type TestCluster } from "../helpers.ts";

// A cluster made with Kumulus' `nodes` extension gets a managed node group (ng-default), as
// `eksctl create cluster --nodes N` does; and what its capacity costs shows three ways: the price on each
// node, GET /clusters/{name}/cost (what `kumulus get cost` prints), and the cluster's /metrics.

const home = mkdtempSync(path.join(tmpdir(), "kumulus-cost-"));
let url: string;
let admin: AwsKey;
let k: TestCluster;

function aws(args: string[]): any {
  const r = spawnSync("aws", [...args, "--output", "json"], {
    encoding: "utf8",
    timeout: 120_000,
    env: awsCliEnv(url, admin, home),
  });
  expect(r.status, `aws ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

beforeAll(async () => {
  url = stackUrl();
  admin = adminKeyOf(url);
  k = await newCluster("cost", 2);
}, 120_000);

describe("cluster nodes and their cost", () => {
  it("makes the nodes extension a managed node group, ng-default", () => {
    expect(aws(["eks", "list-nodegroups", "--cluster-name", k.name]).nodegroups).toEqual(["ng-default"]);
    const ng = aws([
      "eks",
      "describe-nodegroup",
      "--cluster-name",
      k.name,
      "--nodegroup-name",
      "ng-default",
    ]).nodegroup;
    expect(ng.status).toBe("ACTIVE");
    expect(ng.scalingConfig).toEqual({ minSize: 2, maxSize: 2, desiredSize: 2 });
    const nodes = JSON.parse(k.kubectl(["get", "nodes", "-o", "json"]).stdout).items;
    expect(nodes).toHaveLength(2);
    for (const n of nodes) expect(n.metadata.labels["eks.amazonaws.com/nodegroup"]).toBe("ng-default");
  });

  it("prices each node, reports the cluster's cost and serves it as a metric", async () => {
    const type = JSON.parse(k.kubectl(["get", "nodes", "-o", "json"]).stdout).items[0].metadata.labels[
      "node.kubernetes.io/instance-type"
    ];
    const price = requireInstanceType(type).onDemandUSDPerHour;
    const prices = k.kubectl([
      "get",
      "nodes",
      "-o",
      "jsonpath={.items[*].metadata.annotations.kumulus\\.io/price-per-hour}",
    ]);
    expect(prices.stdout.split(" ").map(Number)).toEqual([price, price]);

    const res = await signedFetch(`${url}/clusters/${k.name}/cost`, {}, admin);
    expect(res.status).toBe(200);
    const cost = (await res.json()) as any;
    expect(cost).toMatchObject({ clusterName: k.name, currency: "USD" });
    expect(cost.hourlyCost).toBeCloseTo(2 * price, 6);
    expect(cost.lines).toEqual([
      expect.objectContaining({ kind: "ec2", instanceType: type, capacityType: "on-demand", count: 2 }),
    ]);
    // Billing's one-minute minimum: two nodes have cost at least two node-minutes already.
    expect(cost.costSoFar).toBeGreaterThanOrEqual((2 * price) / 60 - 1e-9);

    const metrics = k.kubectl(["get", "--raw", "/metrics"]);
    expect(metrics.code, metrics.stderr).toBe(0);
    const line = metrics.stdout.split("\n").find((l) => l.startsWith("kumulus_cluster_cost_per_hour_usd{"));
    expect(Number(line?.split(" ")[1])).toBeCloseTo(2 * price, 6);
    expect(metrics.stdout).toContain(
      `kumulus_capacity_instances{cluster="${k.name}",instance_type="${type}",capacity_type="on-demand"} 2`,
    );
  });

  it("answers 404 with EKS's shape for the cost of a cluster that does not exist", async () => {
    const res = await signedFetch(`${url}/clusters/no-such-cluster/cost`, {}, admin);
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toMatch(/^ResourceNotFoundException/);
  });
});
