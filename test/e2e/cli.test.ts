import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { adminKeyOf } from "../auth.ts";
import { awsCliEnv, KUBECTL, stackUrl, waitFor } from "../helpers.ts";

// The kumulus CLI end to end: the real binary (bin/kumulus.js) with only the environment a user has after
// sourcing aws.env (credentials, region, endpoint, CA), against the shared test stack; then kubectl through
// the kubeconfig it wrote, whose exec credential runs the real `aws eks get-token`.

const BIN = path.resolve("bin/kumulus.js");
const home = mkdtempSync(path.join(tmpdir(), "kumulus-cli-"));
const kubeconfig = path.join(home, "kubeconfig");
let env: Record<string, string>;
const name = `cli-${process.pid}`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, { env });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => {
      stdout += d;
    });
    proc.stderr.on("data", (d) => {
      stderr += d;
    });
    proc.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    proc.stdin.end(input);
  });
}

const cli = (args: string[], input?: string) => run(process.execPath, [BIN, ...args], input);
const kubectl = (args: string[]) => run(KUBECTL, args);

async function ok(args: string[], input?: string): Promise<Result> {
  const r = await cli(args, input);
  expect(r.code, `kumulus ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

async function readyNodes(): Promise<string[]> {
  const r = await kubectl(["get", "nodes", "-o", "json"]);
  if (r.code !== 0) return [];
  const items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[] =
    JSON.parse(r.stdout).items;
  return items
    .filter((n) => n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"))
    .map((n) => n.metadata.name);
}

beforeAll(() => {
  const url = stackUrl();
  env = { ...awsCliEnv(url, adminKeyOf(url), home), KUBECONFIG: kubeconfig };
});

describe("kumulus create cluster with flags", () => {
  it("creates the cluster with Ready nodes and writes a kubeconfig kubectl uses", async () => {
    const r = await ok(["create", "cluster", "--name", name, "--nodes", "2", "--version", "1.32"]);
    const lines = r.stdout.split("\n");
    expect(lines.every((l) => l === "" || /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[ℹ✔!✖]\] {2}\S/.test(l))).toBe(
      true,
    );
    expect(r.stdout).toContain(`[✔]  EKS cluster "${name}" in "us-east-1" region is ready`);
    expect(r.stdout).toMatch(/\[ℹ\] {2}node "[^"]+" is ready/);
    expect(r.stdout).toContain(`[✔]  saved kubeconfig as "${kubeconfig}"`);

    const cfg = parse(readFileSync(kubeconfig, "utf8"));
    expect(cfg["current-context"]).toMatch(new RegExp(`@${name}\\.us-east-1\\.eksctl\\.io$`));
    const user = cfg.users.find((u: { name: string }) => u.name === cfg["current-context"]);
    expect(user.user.exec.args).toEqual([
      "eks",
      "get-token",
      "--output",
      "json",
      "--cluster-name",
      name,
      "--region",
      "us-east-1",
    ]);
    expect((await readyNodes()).length).toBe(2);
  });

  it("gets the cluster and its node group as table, JSON and YAML", async () => {
    const list = JSON.parse((await ok(["get", "clusters", "-o", "json"])).stdout);
    expect(list).toContainEqual({ Name: name, Region: "us-east-1", Owned: "True" });

    const table = (await ok(["get", "cluster", name])).stdout.split("\n");
    expect(table[0].split(/\t+/)).toEqual([
      "NAME",
      "VERSION",
      "STATUS",
      "CREATED",
      "VPC",
      "SUBNETS",
      "SECURITYGROUPS",
      "PROVIDER",
    ]);
    expect(table[1].split(/\t+/).slice(0, 3)).toEqual([name, "1.32", "ACTIVE"]);

    const yaml = parse((await ok(["get", "cluster", "--name", name, "-o", "yaml"])).stdout);
    expect(yaml[0]).toMatchObject({ Name: name, Status: "ACTIVE", Version: "1.32" });

    const ngs = JSON.parse((await ok(["get", "nodegroup", "--cluster", name, "-o", "json"])).stdout);
    expect(ngs).toHaveLength(1);
    expect(ngs[0]).toMatchObject({ Cluster: name, Status: "ACTIVE", DesiredCapacity: 2, Type: "managed" });
  });

  it("scales the node group and the nodes follow", async () => {
    const ng = JSON.parse((await ok(["get", "ng", "--cluster", name, "-o", "json"])).stdout)[0].Name;
    const r = await ok([
      "scale",
      "nodegroup",
      "--cluster",
      name,
      "--name",
      ng,
      "--nodes",
      "3",
      "--nodes-max",
      "3",
      "--wait",
    ]);
    expect(r.stdout).toContain(`scaling nodegroup "${ng}" in cluster ${name}`);
    expect(r.stdout).toContain("nodegroup successfully scaled");
    const after = JSON.parse(
      (await ok(["get", "ng", "--cluster", name, "--name", ng, "-o", "json"])).stdout,
    )[0];
    expect(after).toMatchObject({ DesiredCapacity: 3, MaxSize: 3 });
    await waitFor(async () => (await readyNodes()).length === 3, 60_000, "3 Ready nodes");
  });

  it("adds a second node group and deletes it again", async () => {
    const c = await ok([
      "create",
      "nodegroup",
      "--cluster",
      name,
      "--name",
      "extra",
      "--nodes",
      "1",
      "--node-type",
      "c5.large",
    ]);
    expect(c.stdout).toContain(`will use version 1.32 for new nodegroup(s) based on control plane version`);
    expect(c.stdout).toContain(`[✔]  created 1 managed nodegroup(s) in cluster "${name}"`);
    const both = JSON.parse((await ok(["get", "nodegroup", "--cluster", name, "-o", "json"])).stdout);
    expect(both.find((n: { Name: string }) => n.Name === "extra")).toMatchObject({
      InstanceType: "c5.large",
      DesiredCapacity: 1,
    });
    const again = await cli(["create", "nodegroup", "--cluster", name, "--name", "extra"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: .*ResourceInUseException/);

    // A pod that only fits "extra": a drain must evict it, so it waits Pending for the group to return.
    const sel = "eks.amazonaws.com/nodegroup=extra";
    const [extraNode] = (await kubectl(["get", "nodes", "-l", sel, "-o", "name"])).stdout.trim().split("\n");
    expect(extraNode).toMatch(/^node\//);
    const pin = JSON.stringify({ spec: { nodeSelector: { "eks.amazonaws.com/nodegroup": "extra" } } });
    expect((await kubectl(["run", "pinned", "--image=nginx", `--overrides=${pin}`])).code).toBe(0);
    const phase = async () =>
      (await kubectl(["get", "pod", "pinned", "-o", "jsonpath={.status.phase}/{.spec.nodeName}"])).stdout;
    await waitFor(async () => (await phase()).startsWith("Running/"), 30_000, "the pinned pod to run");

    const drained = await ok(["drain", "nodegroup", "--cluster", name, "--name", "extra"]);
    expect(drained.stdout).toContain(`will drain 1 managed nodegroup(s) in cluster "${name}"`);
    expect(drained.stdout).toContain("[ℹ]  starting parallel draining, max in-flight of 1");
    expect(drained.stdout).toContain(`[ℹ]  cordon node "${extraNode.slice(5)}"`);
    expect(drained.stdout).toContain(`[✔]  drained all nodes: [${extraNode.slice(5)}]`);
    await waitFor(async () => (await kubectl(["get", "pod", "pinned"])).code !== 0, 30_000, "the eviction");
    const cordoned = await kubectl(["get", extraNode, "-o", "jsonpath={.spec.unschedulable}"]);
    expect(cordoned.stdout).toBe("true");

    const undone = await ok(["drain", "nodegroup", "--cluster", name, "--name", "extra", "--undo"]);
    expect(undone.stdout).toContain(`will uncordon 1 managed nodegroup(s) in cluster "${name}"`);
    expect(undone.stdout).toContain(`[ℹ]  uncordon node "${extraNode.slice(5)}"`);
    expect((await kubectl(["get", extraNode, "-o", "jsonpath={.spec.unschedulable}"])).stdout).toBe("");

    const badParallel = await cli([
      "drain",
      "nodegroup",
      "--cluster",
      name,
      "--name",
      "extra",
      "--parallel",
      "30",
    ]);
    expect(badParallel.stderr).toBe("Error: --parallel value must be of range 1-25\n");

    const d = await ok([
      "delete",
      "nodegroup",
      "--cluster",
      name,
      "--name",
      "extra",
      "--wait",
      "--disable-eviction",
    ]);
    expect(d.stdout).toContain(`will drain 1 nodegroup(s) in cluster "${name}"`);
    expect(d.stdout).toContain(`[✔]  drained all nodes: [${extraNode.slice(5)}]`);
    expect(d.stdout).toContain(`will delete 1 nodegroups from cluster "${name}"`);
    expect(d.stdout).toContain(`[✔]  deleted 1 nodegroup(s) from cluster "${name}"`);
    const left = JSON.parse((await ok(["get", "nodegroup", "--cluster", name, "-o", "json"])).stdout);
    expect(left.map((n: { Name: string }) => n.Name)).not.toContain("extra");
  });

  it("creates, lists and deletes a Fargate profile", async () => {
    const c = await ok([
      "create",
      "fargateprofile",
      "--cluster",
      name,
      "--name",
      "fp-web",
      "--namespace",
      "web",
    ]);
    expect(c.stdout).toContain(`created Fargate profile "fp-web" on EKS cluster "${name}"`);
    const table = (await ok(["get", "fargateprofile", "--cluster", name])).stdout.split("\n");
    expect(table[0].split(/\t+/)[0]).toBe("NAME");
    expect(table[1].split(/\t+/).slice(0, 3)).toEqual(["fp-web", "web", "<none>"]);
    const d = await ok(["delete", "fargateprofile", "--cluster", name, "--name", "fp-web", "--wait"]);
    expect(d.stdout).toContain(`deleted Fargate profile "fp-web" on EKS cluster "${name}"`);
    const json = JSON.parse((await ok(["get", "fargateprofile", "--cluster", name, "-o", "json"])).stdout);
    expect(json).toEqual([]);
  });

  it("adds an IAM identity mapping to aws-auth", async () => {
    const arn = "arn:aws:iam::000000000000:role/ops";
    const r = await ok([
      "create",
      "iamidentitymapping",
      "--cluster",
      name,
      "--arn",
      arn,
      "--username",
      "ops",
      "--group",
      "system:masters",
    ]);
    expect(r.stdout).toContain(`adding identity "${arn}" to auth ConfigMap`);
    const cm = await kubectl(["get", "configmap", "aws-auth", "-n", "kube-system", "-o", "json"]);
    expect(cm.code, cm.stderr).toBe(0);
    expect(parse(JSON.parse(cm.stdout).data.mapRoles)).toContainEqual({
      rolearn: arn,
      username: "ops",
      groups: ["system:masters"],
    });
    const got = JSON.parse((await ok(["get", "iamidentitymapping", "--cluster", name, "-o", "json"])).stdout);
    expect(got).toContainEqual({ rolearn: arn, username: "ops", groups: ["system:masters"] });
  });

  it("shows what the cluster's capacity costs, with totals", async () => {
    const cost = JSON.parse((await ok(["get", "cost", "--cluster", name, "-o", "json"])).stdout);
    expect(cost).toMatchObject({ clusterName: name, currency: "USD" });
    expect(cost.lines).toContainEqual(
      expect.objectContaining({ kind: "ec2", instanceType: "m5.large", count: 3 }),
    );
    const table = (await ok(["get", "cost", "--cluster", name])).stdout.split("\n");
    expect(table[0].split(/\t+/).slice(0, 4)).toEqual(["KIND", "INSTANCE TYPE", "CAPACITY TYPE", "COUNT"]);
    expect(table.find((l) => l.startsWith("TOTAL"))?.split(/\t+/)[1]).toBe("3");
  });

  it("upgrades the control plane one version at a time, in plan mode unless --approve", async () => {
    const plan = await ok(["upgrade", "cluster", "--name", name]);
    expect(plan.stdout).toContain(
      `(plan) would upgrade cluster "${name}" control plane from current version "1.32" to "1.33"`,
    );
    expect(plan.stdout).toContain(
      "[!]  no changes were applied, run again with '--approve' to apply the changes",
    );
    const skip = await cli(["upgrade", "cluster", "--name", name, "--version", "1.34"]);
    expect(skip.stderr).toBe(
      'Error: upgrading more than one version at a time is not supported. Found upgrade from "1.32" to "1.34". Please upgrade to "1.33" first\n',
    );
    const done = await ok(["upgrade", "cluster", "--name", name, "--approve"]);
    expect(done.stdout).toContain(`[✔]  cluster "${name}" control plane has been upgraded to version "1.33"`);
    const c = JSON.parse((await ok(["get", "cluster", name, "-o", "json"])).stdout)[0];
    expect(c.Version).toBe("1.33");
  });

  it("upgrades the node group to the control plane's version", async () => {
    const ng = JSON.parse((await ok(["get", "ng", "--cluster", name, "-o", "json"])).stdout)[0].Name;
    const r = await ok(["upgrade", "nodegroup", "--cluster", name, "--name", ng]);
    expect(r.stdout).toContain(`upgrade of nodegroup "${ng}" in progress`);
    expect(r.stdout).toContain("nodegroup successfully upgraded");
    const after = JSON.parse(
      (await ok(["get", "ng", "--cluster", name, "--name", ng, "-o", "json"])).stdout,
    )[0];
    expect(after.Version).toBe("1.33");
  });

  it("reports failures as Error: … with exit status 1", async () => {
    const missing = await cli(["get", "cluster", "--name", "no-such-cluster"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^Error: unable to describe control plane "no-such-cluster": .*ResourceNotFoundException/,
    );

    const flag = await cli(["create", "cluster", "--nodez", "3"]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toBe("Error: unknown flag: --nodez\n");

    const sizes = await cli([
      "scale",
      "nodegroup",
      "--cluster",
      name,
      "--name",
      "x",
      "--nodes",
      "5",
      "--nodes-max",
      "2",
    ]);
    expect(sizes.code).toBe(1);
    expect(sizes.stderr).toBe(
      "Error: maximum number of nodes must be greater than or equal to number of nodes\n",
    );

    const output = await cli(["get", "clusters", "-o", "xml"]);
    expect(output.stderr).toBe(
      'Error: unknown output printer type: expected {"yaml","json","table"} but got "xml"\n',
    );
  });

  it("deletes the cluster with --wait and removes its kubeconfig entries", async () => {
    const r = await ok(["delete", "cluster", "--name", name, "--wait"]);
    expect(r.stdout).toContain(`deleting EKS cluster "${name}"`);
    expect(r.stdout).toContain("[✔]  all cluster resources were deleted");
    const gone = await cli(["get", "cluster", name]);
    expect(gone.code).toBe(1);
    expect(readFileSync(kubeconfig, "utf8")).not.toContain(`${name}.us-east-1.eksctl.io`);
  });
});

describe("kumulus create cluster -f", () => {
  // The issue's own example: eksworkshop.yaml without its "1.17" version line, renamed for this run.
  const file = readFileSync(path.resolve("test/fixtures/eksworkshop.yaml"), "utf8");
  const wsName = `ws-${process.pid}`;
  const config = file
    .split("\n")
    .filter((l) => !/^\s*version:/.test(l))
    .join("\n")
    .replace("name: eksworkshop-eksctl", `name: ${wsName}`);

  it("prints the defaulted config with --dry-run and creates nothing", async () => {
    const r = await ok(["create", "cluster", "-f", "-", "--dry-run"], config);
    const dumped = parse(r.stdout);
    expect(dumped).toMatchObject({
      kind: "ClusterConfig",
      metadata: { name: wsName, region: "ap-southeast-1" },
    });
    expect((await cli(["get", "cluster", wsName, "--region", "ap-southeast-1"])).code).toBe(1);
  });

  it("refuses flags the file replaces, with eksctl's wording", async () => {
    const r = await cli(["create", "cluster", "-f", "-", "--nodes", "3"], config);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Error: cannot use --nodes when --config-file/-f is set\n");
  });

  it("creates 3 Ready nodes, and a second run resumes instead of failing", async () => {
    const r = await ok(["create", "cluster", "-f", "-"], config);
    expect(r.stdout).toContain(`[✔]  EKS cluster "${wsName}" in "ap-southeast-1" region is ready`);
    expect((await readyNodes()).length).toBe(3);
    // Each EKS region is its own: the cluster and its nodes are in the file's region, one node per zone.
    const zones = await kubectl([
      "get",
      "nodes",
      "-o",
      "jsonpath={.items[*].metadata.labels.topology\\.kubernetes\\.io/zone}",
    ]);
    expect(zones.stdout.split(" ").sort()).toEqual(["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]);
    expect((await cli(["get", "cluster", wsName, "--region", "us-east-1"])).code).toBe(1);

    const again = await ok(["create", "cluster", "-f", "-"], config);
    expect(again.stdout).toContain(`control plane "${wsName}" already exists`);
    expect(again.stdout).toContain("1 existing nodegroup(s) (nodegroup) will be excluded");
    expect(again.stdout).toContain(`[✔]  EKS cluster "${wsName}" in "ap-southeast-1" region is ready`);

    const other = path.join(home, "other-kubeconfig");
    const w = await ok([
      "utils",
      "write-kubeconfig",
      "--cluster",
      wsName,
      "--region",
      "ap-southeast-1",
      "--kubeconfig",
      other,
      "--set-kubeconfig-context=false",
    ]);
    expect(w.stdout).toContain(`[✔]  saved kubeconfig as "${other}"`);
    const written = parse(readFileSync(other, "utf8"));
    expect(written.clusters[0].name).toBe(`${wsName}.ap-southeast-1.eksctl.io`);
    expect(written["current-context"]).toBeUndefined();

    await ok(["delete", "cluster", "-f", "-", "--wait"], config);
  });
});

describe("kumulus create cluster --fargate", () => {
  it("creates the fp-default profile for default and kube-system, and no node group", async () => {
    const fg = `fg-${process.pid}`;
    await ok([
      "create",
      "cluster",
      "--name",
      fg,
      "--fargate",
      "--version",
      "1.32",
      "--write-kubeconfig=false",
    ]);
    const profiles = JSON.parse((await ok(["get", "fargateprofile", "--cluster", fg, "-o", "json"])).stdout);
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({ name: "fp-default", status: "ACTIVE" });
    expect(profiles[0].selectors.map((s: { namespace: string }) => s.namespace).sort()).toEqual([
      "default",
      "kube-system",
    ]);
    const ngs = await ok(["get", "nodegroup", "--cluster", fg, "-o", "json"]);
    expect(JSON.parse(ngs.stdout)).toEqual([]);
    // -v 4 adds eksctl's debug lines: one per AWS call here.
    const del = await ok(["delete", "cluster", fg, "--wait", "-v", "4"]);
    expect(del.stdout).toMatch(/\[▶\] {2}EKS DeleteFargateProfileCommand took \d+ms/);
    expect(del.stdout).toContain("deleted 1 Fargate profile(s)");
  });
});

describe("add-ons, access entries and workload identities", () => {
  const ex = `ex-${process.pid}`;

  it("manages add-ons, access entries, IRSA service accounts and pod identity associations", async () => {
    await ok(["create", "cluster", "--name", ex, "--without-nodegroup", "--version", "1.32"]);
    const addons = JSON.parse((await ok(["get", "addon", "--cluster", ex, "-o", "json"])).stdout);
    expect(addons.map((a: { Name: string }) => a.Name)).toContain("vpc-cni");

    await ok(["delete", "addon", "--cluster", ex, "--name", "metrics-server", "--wait"]);
    const created = await ok(["create", "addon", "--cluster", ex, "--name", "metrics-server", "--wait"]);
    expect(created.stdout).toContain('addon "metrics-server" active');

    const viewer = "arn:aws:iam::000000000000:role/viewer";
    await ok([
      "create",
      "accessentry",
      "--cluster",
      ex,
      "--principal-arn",
      viewer,
      "--kubernetes-groups",
      "viewers",
    ]);
    const entries = JSON.parse((await ok(["get", "accessentry", "--cluster", ex, "-o", "json"])).stdout);
    expect(entries).toContainEqual(
      expect.objectContaining({ principalARN: viewer, kubernetesGroups: ["viewers"] }),
    );
    await ok(["delete", "accessentry", "--cluster", ex, "--principal-arn", viewer]);

    const policy = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    const sa = ["create", "iamserviceaccount", "--cluster", ex, "--name", "s3-reader", "--namespace", "apps"];
    const plan = await ok([...sa, "--attach-policy-arn", policy]);
    expect(plan.stdout).toContain("no changes were applied, run again with '--approve' to apply the changes");
    await ok([...sa, "--attach-policy-arn", policy, "--approve"]);
    const got = await kubectl(["get", "serviceaccount", "s3-reader", "-n", "apps", "-o", "json"]);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout).metadata.annotations["eks.amazonaws.com/role-arn"]).toBe(
      `arn:aws:iam::000000000000:role/eksctl-${ex}-addon-iamserviceaccount-apps-s3-reader`,
    );

    const role = "arn:aws:iam::000000000000:role/pod-identity";
    await ok([
      "create",
      "podidentityassociation",
      "--cluster",
      ex,
      "--namespace",
      "apps",
      "--service-account-name",
      "s3-reader",
      "--role-arn",
      role,
    ]);
    const assocs = JSON.parse(
      (await ok(["get", "podidentityassociation", "--cluster", ex, "-o", "json"])).stdout,
    );
    expect(assocs).toContainEqual(
      expect.objectContaining({ Namespace: "apps", ServiceAccountName: "s3-reader", RoleARN: role }),
    );

    await ok(["delete", "cluster", ex, "--wait"]);
  });
});

describe("kumulus completion", () => {
  it("completes verbs, nouns and flags in bash", async () => {
    const r = await ok(["completion", "bash"]);
    expect(r.stdout).toContain("complete -F _kumulus kumulus");
    expect(r.stdout).toMatch(/create\) words="[^"]*\bcluster\b/);
    expect(r.stdout).toContain("--nodes-min");
  });
});
