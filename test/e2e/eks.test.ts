import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, get } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClusterCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateClusterVersionCommand,
  waitUntilClusterActive,
  waitUntilClusterDeleted,
} from "@aws-sdk/client-eks";
import { CoreV1Api, KubeConfig, makeInformer } from "@kubernetes/client-node";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/dynamodb.ts";
import { KUBECTL, waitFor } from "../helpers.ts";

// What `npm start` serves, driven by the real clients: the stack in a child process on HTTPS with its own CA,
// the aws CLI through D/aws.env, @aws-sdk/client-eks, kubectl, the official Python client and
// @kubernetes/client-node, every one verifying the certificate.

const ROOT = path.resolve(import.meta.dirname, "../..");
const ROLE = "arn:aws:iam::000000000000:role/eks-cluster";
let proc: ChildProcess;
let dir: string;
let url: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A shell command with the stack's aws.env sourced, as a user would run it. */
function sh(cmd: string): Run {
  const r = spawnSync("bash", ["-c", `. "${dir}/aws.env" && ${cmd}`], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, HOME: dir },
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function aws(args: string): any {
  const r = sh(`aws eks ${args} --output json`);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

function awsFails(args: string): Run {
  const r = sh(`aws eks ${args}`);
  expect(r.code).not.toBe(0);
  return r;
}

function kubectl(kubeconfig: string, args: string): Run {
  return sh(`${KUBECTL} --kubeconfig "${kubeconfig}" ${args}`);
}

function kubeconfigFor(name: string): string {
  const file = path.join(dir, `${name}.kubeconfig`);
  const r = sh(`aws eks update-kubeconfig --name ${name} --kubeconfig "${file}"`);
  expect(r.code, r.stderr).toBe(0);
  return file;
}

const ready = (port: number, ca: Buffer) =>
  new Promise<boolean>((resolve) => {
    get(`https://127.0.0.1:${port}/readyz`, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on("error", () => resolve(false));
  });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "kumulus-eks-"));
  const port = await freePort();
  proc = spawn(
    process.execPath,
    ["--import", "tsx", "local/main.ts", "--port", String(port), "--data-dir", dir, "--nodes", "2"],
    { cwd: ROOT, env: { ...process.env, KUMULUS_LOG_LEVEL: "warn" }, stdio: "ignore" },
  );
  await waitFor(
    async () =>
      existsSync(path.join(dir, "aws.env")) && (await ready(port, readFileSync(path.join(dir, "ca.pem")))),
    120_000,
    "the HTTPS stack",
  );
  url = `https://127.0.0.1:${port}`;
}, 180_000);

afterAll(async () => {
  proc?.kill("SIGTERM");
  await new Promise((r) => proc?.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
});

describe("the EKS API through the aws CLI", () => {
  it("creates, describes, upgrades, tags and deletes a cluster", async () => {
    const created = aws(
      `create-cluster --name cli-demo --kubernetes-version 1.36 --role-arn ${ROLE} --resources-vpc-config subnetIds=subnet-a,subnet-b`,
    );
    expect(created.cluster.status).toBe("CREATING");
    expect(sh("aws eks wait cluster-active --name cli-demo").code).toBe(0);
    const { cluster } = aws("describe-cluster --name cli-demo");
    expect(cluster).toMatchObject({ name: "cli-demo", status: "ACTIVE", version: "1.36" });
    expect(cluster.endpoint).toBe(`${url}/clusters/cli-demo`);
    expect(Buffer.from(cluster.certificateAuthority.data, "base64").toString()).toBe(
      readFileSync(path.join(dir, "ca.pem"), "utf8"),
    );
    expect(cluster.arn).toMatch(/^arn:aws:eks:us-east-1:\d{12}:cluster\/cli-demo$/);
    expect(cluster.outpostConfig).toBeUndefined();
    expect(aws("list-clusters").clusters).toEqual(expect.arrayContaining(["cli-demo", "local"]));

    const kc = kubeconfigFor("cli-demo");
    const minor = () => JSON.parse(kubectl(kc, "version -o json").stdout || "{}").serverVersion?.minor;
    expect(minor()).toBe("36");
    const { update } = aws("update-cluster-version --name cli-demo --kubernetes-version 1.37");
    expect(update).toMatchObject({ type: "VersionUpdate", status: "InProgress" });
    await waitFor(
      async () =>
        aws(`describe-update --name cli-demo --update-id ${update.id}`).update.status === "Successful",
      60_000,
      "the version update",
    );
    expect(aws("describe-cluster --name cli-demo").cluster.version).toBe("1.37");
    await waitFor(async () => minor() === "37", 30_000, "kubectl version to show 1.37");

    aws(`tag-resource --resource-arn ${cluster.arn} --tags team=a,env=dev`);
    expect(aws(`list-tags-for-resource --resource-arn ${cluster.arn}`).tags).toEqual({
      team: "a",
      env: "dev",
    });
    aws(`untag-resource --resource-arn ${cluster.arn} --tag-keys team env`);
    expect(aws(`list-tags-for-resource --resource-arn ${cluster.arn}`).tags).toEqual({});

    expect(aws("delete-cluster --name cli-demo").cluster.status).toBe("DELETING");
    expect(sh("aws eks wait cluster-deleted --name cli-demo").code).toBe(0);
    expect(awsFails("describe-cluster --name cli-demo").stderr).toContain("ResourceNotFoundException");
    expect(aws("list-clusters").clusters).not.toContain("cli-demo");
  });

  it("answers bad requests with EKS's errors and creates nothing", () => {
    const before = aws("list-clusters").clusters;
    const missing = awsFails("describe-cluster --name nope");
    expect(missing.stderr).toContain("ResourceNotFoundException");
    expect(missing.stderr).toContain("No cluster found for name: nope.");
    const dup = awsFails(
      `create-cluster --name local --role-arn ${ROLE} --resources-vpc-config subnetIds=s1,s2`,
    );
    expect(dup.stderr).toContain("ResourceInUseException");
    expect(dup.stderr).toContain("Cluster already exists with name: local");
    const badName = awsFails(
      `create-cluster --name bad.name --role-arn ${ROLE} --resources-vpc-config subnetIds=s1,s2`,
    );
    expect(badName.stderr).toContain("InvalidParameterException");
    const badVersion = awsFails(
      `create-cluster --name old --kubernetes-version 1.20 --role-arn ${ROLE} --resources-vpc-config subnetIds=s1,s2`,
    );
    expect(badVersion.stderr).toContain("InvalidParameterException");
    expect(badVersion.stderr).toContain("unsupported Kubernetes version 1.20");
    aws(
      `create-cluster --name hop --kubernetes-version 1.35 --role-arn ${ROLE} --resources-vpc-config subnetIds=s1,s2`,
    );
    const hop = awsFails("update-cluster-version --name hop --kubernetes-version 1.37");
    expect(hop.stderr).toContain("InvalidParameterException");
    expect(hop.stderr).toContain("Unsupported Kubernetes minor version update from 1.35 to 1.37");
    expect(aws("describe-cluster --name hop").cluster.version).toBe("1.35");
    aws("delete-cluster --name hop");
    expect(aws("list-clusters").clusters).toEqual(before);
  });
});

describe("the EKS API through @aws-sdk/client-eks", () => {
  it("runs the same lifecycle with the SDK's waiters", async () => {
    const env = sh("env").stdout;
    const val = (k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(env)?.[1] ?? "";
    const creds = readFileSync(val("AWS_SHARED_CREDENTIALS_FILE"), "utf8");
    const client = new EKSClient({
      region: "us-east-1",
      endpoint: url,
      credentials: {
        accessKeyId: /aws_access_key_id\s*=\s*(\S+)/.exec(creds)![1],
        secretAccessKey: /aws_secret_access_key\s*=\s*(\S+)/.exec(creds)![1],
      },
      requestHandler: new NodeHttpHandler({
        httpsAgent: new Agent({ ca: readFileSync(path.join(dir, "ca.pem")) }),
      }),
    });
    const name = "sdk-demo";
    await client.send(
      new CreateClusterCommand({
        name,
        version: "1.36",
        roleArn: ROLE,
        resourcesVpcConfig: { subnetIds: ["subnet-a", "subnet-b"] },
      }),
    );
    const active = await waitUntilClusterActive({ client, maxWaitTime: 60 }, { name });
    expect(active.state).toBe("SUCCESS");
    const { cluster } = await client.send(new DescribeClusterCommand({ name }));
    expect(cluster?.createdAt).toBeInstanceOf(Date);
    const { update } = await client.send(new UpdateClusterVersionCommand({ name, version: "1.37" }));
    await waitFor(
      async () =>
        (await client.send(new DescribeUpdateCommand({ name, updateId: update!.id! }))).update?.status ===
        "Successful",
      60_000,
      "the SDK's version update",
    );
    await client.send(new TagResourceCommand({ resourceArn: cluster!.arn!, tags: { owner: "sdk" } }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: cluster!.arn! }))).tags).toEqual({
      owner: "sdk",
    });
    const missing = await client.send(new DescribeClusterCommand({ name: "nope" })).catch((e) => e);
    expect(missing.name).toBe("ResourceNotFoundException");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    await client.send(new DeleteClusterCommand({ name }));
    const deleted = await waitUntilClusterDeleted({ client, maxWaitTime: 60 }, { name });
    expect(deleted.state).toBe("SUCCESS");
  });
});

describe("Kubernetes clients on the HTTPS endpoint, certificates verified", () => {
  it("kubectl, with and without the path prefix", () => {
    const kc = kubeconfigFor("local");
    const ns = kubectl(kc, "get ns -o name");
    expect(ns.code, ns.stderr).toBe(0);
    expect(ns.stdout).toContain("namespace/kube-system");
    const raw = kubectl(kc, "get --raw /api/v1/namespaces");
    expect(raw.code, raw.stderr).toBe(0);
    expect(JSON.parse(raw.stdout).kind).toBe("NamespaceList");
    expect(kubectl(kc, "get --raw /version").stdout).toContain("gitVersion");
  });

  it("the official Python client lists namespaces", () => {
    const kc = kubeconfigFor("local");
    const script = path.join(dir, "list.py");
    writeFileSync(
      script,
      [
        "import sys",
        "from kubernetes import client, config",
        "config.load_kube_config(config_file=sys.argv[1])",
        "print(' '.join(n.metadata.name for n in client.CoreV1Api().list_namespace().items))",
      ].join("\n"),
    );
    const r = sh(`/usr/bin/python3 "${script}" "${kc}"`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("kube-system");
  });

  it("a @kubernetes/client-node informer sees a new ConfigMap", async () => {
    const kc = kubeconfigFor("local");
    // The exec plugin (aws eks get-token) reads the profile from the environment aws.env sets.
    const env = sh("env").stdout;
    for (const k of ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE", "AWS_CA_BUNDLE"])
      process.env[k] = new RegExp(`^${k}=(.*)$`, "m").exec(env)?.[1];
    const config = new KubeConfig();
    config.loadFromFile(kc);
    const api = config.makeApiClient(CoreV1Api);
    const informer = makeInformer(config, "/api/v1/namespaces/default/configmaps", () =>
      api.listNamespacedConfigMap({ namespace: "default" }),
    );
    const seen: string[] = [];
    informer.on("add", (cm) => seen.push(cm.metadata?.name ?? ""));
    await informer.start();
    try {
      expect(kubectl(kc, "create configmap informed --from-literal=a=b").code).toBe(0);
      await waitFor(async () => seen.includes("informed"), 30_000, "the informer's add event");
    } finally {
      await informer.stop();
    }
  });
});

describe("kube-system of a default cluster", () => {
  it("looks like EKS's, with every pod Running", async () => {
    const kc = kubeconfigFor("local");
    const json = (args: string) => JSON.parse(kubectl(kc, `-n kube-system get ${args} -o json`).stdout);
    expect(json("daemonset aws-node").kind).toBe("DaemonSet");
    expect(json("daemonset kube-proxy").kind).toBe("DaemonSet");
    expect(json("deployment coredns").spec.replicas).toBe(2);
    expect(json("service kube-dns").spec.clusterIP).toBe("10.100.0.10");
    await waitFor(
      async () => {
        const pods = json("pods").items as { status: { phase: string } }[];
        return pods.length >= 6 && pods.every((p) => p.status.phase === "Running");
      },
      60_000,
      "kube-system pods to run",
    );
  });
});
