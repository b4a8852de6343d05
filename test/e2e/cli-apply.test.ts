import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsKey, adminKeyOf } from "../auth.ts";
import { awsCliEnv, KUBECTL, stackUrl } from "../helpers.ts";

// `kumulus apply -f`: a cluster made by `kumulus create cluster -f`, then a changed file applied. Without
// --approve only the plan is printed and nothing changes; with it the node group is scaled, a group added and
// a Fargate profile removed (seen through the aws CLI and kubectl); a second apply plans nothing.

const ROOT = path.resolve(import.meta.dirname, "../..");
const home = mkdtempSync(path.join(tmpdir(), "kumulus-apply-"));
const name = `apply-${process.pid}`;
let url: string;
let admin: AwsKey;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function env(): Record<string, string> {
  return { ...awsCliEnv(url, admin, home), KUBECONFIG: path.join(home, "kubeconfig") };
}

function kumulus(args: string[]): Run {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/kumulus.js"), ...args], {
    encoding: "utf8",
    timeout: 180_000,
    env: env(),
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function aws(args: string[]): any {
  const r = spawnSync("aws", [...args, "--output", "json"], {
    encoding: "utf8",
    timeout: 60_000,
    env: env(),
  });
  expect(r.status, `aws ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

function kubectl(args: string[]): Run {
  const r = spawnSync(KUBECTL, args, { encoding: "utf8", timeout: 60_000, env: env() });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function config(body: string): string {
  const file = path.join(home, `cluster-${Math.random().toString(36).slice(2, 8)}.yaml`);
  writeFileSync(
    file,
    `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: ${name}
  region: us-east-1
  version: "1.32"
${body}`,
  );
  return file;
}

const ORIGINAL = `managedNodeGroups:
  - name: ng-1
    instanceType: m5.large
    desiredCapacity: 1
    minSize: 1
    maxSize: 3
fargateProfiles:
  - name: fp-apps
    selectors:
      - namespace: apps
`;

const CHANGED = `managedNodeGroups:
  - name: ng-1
    instanceType: m5.large
    desiredCapacity: 2
    minSize: 1
    maxSize: 3
  - name: ng-2
    instanceType: t3.medium
    desiredCapacity: 1
`;

const nodegroups = () =>
  (aws(["eks", "list-nodegroups", "--cluster-name", name]).nodegroups as string[]).sort();
const profiles = () =>
  (aws(["eks", "list-fargate-profiles", "--cluster-name", name]).fargateProfileNames as string[]).sort();
const desiredOf = (ng: string) =>
  aws(["eks", "describe-nodegroup", "--cluster-name", name, "--nodegroup-name", ng]).nodegroup.scalingConfig
    .desiredSize as number;

function readyNodes(ng: string): number {
  const r = kubectl(["get", "nodes", "-l", `eks.amazonaws.com/nodegroup=${ng}`, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  const items: { status: { conditions: { type: string; status: string }[] } }[] = JSON.parse(r.stdout).items;
  return items.filter((n) => n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"))
    .length;
}

beforeAll(() => {
  url = stackUrl();
  admin = adminKeyOf(url);
  const r = kumulus(["create", "cluster", "-f", config(ORIGINAL)]);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
}, 240_000);

afterAll(() => {
  kumulus(["delete", "cluster", "--name", name, "--region", "us-east-1", "--wait"]);
}, 240_000);

describe("kumulus apply -f", () => {
  it("plans nothing for the file the cluster was created from", () => {
    const r = kumulus(["apply", "-f", config(ORIGINAL)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`no changes: cluster "${name}" matches`);
  });

  it("prints the plan without --approve and changes nothing", () => {
    const r = kumulus(["apply", "-f", config(CHANGED)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /\[ℹ\] {2}3 change\(s\) planned for cluster "[^"]+": 1 to create, 1 to update, 1 to delete/,
    );
    expect(r.stdout).toContain('  ~ nodegroup "ng-1"\n        scaling.desiredSize: 1 → 2\n');
    expect(r.stdout).toContain('  + nodegroup "ng-2"');
    expect(r.stdout).toContain('  - fargateprofile "fp-apps"');
    expect(r.stdout).toContain(
      "[!]  no changes were applied, run again with '--approve' to apply the changes",
    );
    expect(nodegroups()).toEqual(["ng-1"]);
    expect(desiredOf("ng-1")).toBe(1);
    expect(profiles()).toEqual(["fp-apps"]);
  });

  it("shows a changed instance type as a replacement", () => {
    const r = kumulus(["apply", "-f", config(ORIGINAL.replace("m5.large", "m5.xlarge"))]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('-/+ nodegroup "ng-1"');
    expect(r.stdout).toContain(
      'instanceTypes: ["m5.large"] → ["m5.xlarge"] (cannot change in place: replace)',
    );
  });

  it("refuses a control-plane jump of two versions in eksctl's words, changing nothing", () => {
    const jump = path.join(home, "jump.yaml");
    writeFileSync(
      jump,
      `apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: ${name}\n  region: us-east-1\n  version: "1.34"\n${ORIGINAL}`,
    );
    const j = kumulus(["apply", "-f", jump, "--approve"]);
    expect(j.code).toBe(1);
    expect(j.stderr).toContain(
      'upgrading more than one version at a time is not supported. Found upgrade from "1.32" to "1.34". Please upgrade to "1.33" first',
    );
    expect(aws(["eks", "describe-cluster", "--name", name]).cluster.version).toBe("1.32");
  });

  it("with --approve scales ng-1, adds ng-2 and removes the Fargate profile; a second apply plans nothing", () => {
    const file = config(CHANGED);
    const r = kumulus(["apply", "-f", file, "--approve"]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`applied 3 change(s) to cluster "${name}"`);
    expect(nodegroups()).toEqual(["ng-1", "ng-2"]);
    expect(desiredOf("ng-1")).toBe(2);
    expect(desiredOf("ng-2")).toBe(1);
    expect(profiles()).toEqual([]);
    expect(readyNodes("ng-1")).toBe(2);
    expect(readyNodes("ng-2")).toBe(1);

    const again = kumulus(["apply", "-f", file]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`no changes: cluster "${name}" matches`);
  });

  it("adds, re-roles and removes IRSA service accounts from iam.serviceAccounts", () => {
    const role = (r: string) => `arn:aws:iam::000000000000:role/${r}`;
    const irsa = (accounts: [string, string][]) =>
      `${CHANGED}iam:\n  withOIDC: true\n  serviceAccounts:\n${accounts
        .map(([sa, r]) => `    - metadata: {name: ${sa}, namespace: apps}\n      attachRoleARN: ${role(r)}\n`)
        .join("")}`;
    const roleOf = (sa: string) =>
      kubectl([
        "get",
        "sa",
        sa,
        "-n",
        "apps",
        "-o",
        "jsonpath={.metadata.annotations.eks\\.amazonaws\\.com/role-arn}",
      ]);

    const add = kumulus([
      "apply",
      "-f",
      config(
        irsa([
          ["reader", "s3-read"],
          ["writer", "s3-write"],
        ]),
      ),
      "--approve",
    ]);
    expect(add.code, `${add.stdout}\n${add.stderr}`).toBe(0);
    expect(add.stdout).toContain('  + iamserviceaccount "apps/reader"');
    expect(roleOf("reader").stdout).toBe(role("s3-read"));
    expect(roleOf("writer").stdout).toBe(role("s3-write"));

    const change = kumulus(["apply", "-f", config(irsa([["reader", "s3-read-v2"]])), "--approve"]);
    expect(change.code, `${change.stdout}\n${change.stderr}`).toBe(0);
    expect(change.stdout).toContain(`role: "${role("s3-read")}" → "${role("s3-read-v2")}"`);
    expect(change.stdout).toContain('  - iamserviceaccount "apps/writer"');
    expect(roleOf("reader").stdout).toBe(role("s3-read-v2"));
    expect(roleOf("writer").code).not.toBe(0);

    const again = kumulus(["apply", "-f", config(irsa([["reader", "s3-read-v2"]]))]);
    expect(again.stdout).toContain(`no changes: cluster "${name}" matches`);
  });
});
