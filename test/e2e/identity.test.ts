import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { beforeAll, describe, expect, it } from "vitest";
import { presignEksToken } from "../../lib/identity/sigv4-sign.ts";
import { type AwsKey, adminKeyOf, eksToken, REGION } from "../auth.ts";
import { awsCliEnv, KUBECTL, newCluster, stackUrl, type TestCluster, waitFor } from "../helpers.ts";

// Identity end to end, driven by the real aws CLI and kubectl against the shared HTTPS stack: IAM users and
// keys made with `aws iam`, access entries and policies with `aws eks`, kubeconfigs written by
// `aws eks update-kubeconfig` whose exec credential (`aws eks get-token`) each principal runs with its own
// key; aws-auth for an assumed role; RBAC; and a table of forged and misused tokens, every one refused
// without changing anything.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const home = mkdtempSync(path.join(tmpdir(), "kumulus-identity-"));
let url: string;
let admin: AwsKey;

function run(cmd: string, args: string[], key: AwsKey, extraEnv: Record<string, string> = {}): Run {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    timeout: 90_000,
    env: { ...awsCliEnv(url, key, home), ...extraEnv },
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function aws(args: string[], key = admin): any {
  const r = run("aws", [...args, "--output", "json"], key);
  expect(r.code, `aws ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

/** A new IAM user with an access key, made by the admin through `aws iam`. */
function newUser(name: string): { arn: string; key: AwsKey } {
  const arn = aws(["iam", "create-user", "--user-name", name]).User.Arn as string;
  const k = aws(["iam", "create-access-key", "--user-name", name]).AccessKey;
  return { arn, key: { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey } };
}

/**
 * kubectl as `key`, through a kubeconfig `aws eks update-kubeconfig` wrote (exec: aws eks get-token). The
 * admin writes it (DescribeCluster needs eks:DescribeCluster, which these principals lack); `get-token` runs
 * with the principal's own key.
 */
function kubectlAs(cluster: string, key: AwsKey, args: string[], stdin?: string): Run {
  const kubeconfig = path.join(home, `${cluster}-${key.accessKeyId}.kubeconfig`);
  const w = run("aws", ["eks", "update-kubeconfig", "--name", cluster, "--kubeconfig", kubeconfig], admin);
  expect(w.code, w.stderr).toBe(0);
  const r = spawnSync(KUBECTL, ["--kubeconfig", kubeconfig, ...args], {
    encoding: "utf8",
    timeout: 90_000,
    input: stdin,
    env: awsCliEnv(url, key, home),
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const POLICY = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;

/** A cluster whose access entries count (API_AND_CONFIG_MAP), created by the admin with the aws CLI. */
function apiModeCluster(name: string): string {
  aws([
    "eks",
    "create-cluster",
    "--name",
    name,
    "--kubernetes-version",
    "1.32",
    "--role-arn",
    "arn:aws:iam::000000000000:role/kumulus-test",
    "--resources-vpc-config",
    "subnetIds=[]",
    "--access-config",
    "authenticationMode=API_AND_CONFIG_MAP",
  ]);
  const w = run("aws", ["eks", "wait", "cluster-active", "--name", name], admin);
  expect(w.code, w.stderr).toBe(0);
  return name;
}

function grant(cluster: string, principalArn: string, policy: string, namespaces?: string[]): void {
  aws(["eks", "create-access-entry", "--cluster-name", cluster, "--principal-arn", principalArn]);
  aws([
    "eks",
    "associate-access-policy",
    "--cluster-name",
    cluster,
    "--principal-arn",
    principalArn,
    "--policy-arn",
    POLICY(policy),
    "--access-scope",
    namespaces ? `type=namespace,namespaces=${namespaces.join(",")}` : "type=cluster",
  ]);
}

const tag = `${process.pid}`;
let cluster: string;
let k: TestCluster;

beforeAll(async () => {
  url = stackUrl();
  admin = adminKeyOf(url);
  cluster = apiModeCluster(`ident-${tag}`);
  k = await newCluster("ident-b");
}, 120_000);

describe("IAM principals on a cluster", () => {
  it("refuses a principal with no access entry as kubectl words it", () => {
    const nobody = newUser(`nobody-${tag}`);
    // A plain request prints the Status reason; kubectl's discovery client words the same 401 its own way.
    const raw = kubectlAs(cluster, nobody.key, ["get", "--raw", "/api/v1/namespaces/default/pods"]);
    expect(raw.code).not.toBe(0);
    expect(raw.stderr).toContain("error: You must be logged in to the server (Unauthorized)");
    const r = kubectlAs(cluster, nobody.key, ["get", "pods"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("error: You must be logged in to the server (");
  });

  it("lets AmazonEKSViewPolicy read but not create", () => {
    const viewer = newUser(`viewer-${tag}`);
    grant(cluster, viewer.arn, "AmazonEKSViewPolicy");
    const list = kubectlAs(cluster, viewer.key, ["get", "pods", "-A"]);
    expect(list.code, list.stderr).toBe(0);
    expect(kubectlAs(cluster, viewer.key, ["get", "ns", "kube-system"]).code).toBe(0);
    const create = kubectlAs(cluster, viewer.key, ["create", "configmap", "nope"]);
    expect(create.code).not.toBe(0);
    expect(create.stderr).toContain('configmaps is forbidden: User "');
    expect(create.stderr).toContain('cannot create resource "configmaps" in API group "" in the namespace');
    const whoami = kubectlAs(cluster, viewer.key, ["auth", "whoami", "-o", "json"]);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe(viewer.arn);
  });

  it("confines AmazonEKSEditPolicy scoped to team-a to that namespace", () => {
    expect(kubectlAs(cluster, admin, ["create", "namespace", "team-a"]).code).toBe(0);
    const editor = newUser(`editor-${tag}`);
    grant(cluster, editor.arn, "AmazonEKSEditPolicy", ["team-a"]);
    const inside = kubectlAs(cluster, editor.key, ["create", "configmap", "ok", "-n", "team-a"]);
    expect(inside.code, inside.stderr).toBe(0);
    const outside = kubectlAs(cluster, editor.key, ["create", "configmap", "no", "-n", "default"]);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain("forbidden");
    expect(kubectlAs(cluster, editor.key, ["get", "pods", "-A"]).code).not.toBe(0);
    expect(kubectlAs(cluster, admin, ["get", "configmap", "no", "-n", "default"]).code).not.toBe(0);
  });

  it("maps an assumed role through aws-auth mapRoles with {{SessionName}}", async () => {
    const role = `deployer-${tag}`;
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" },
      ],
    });
    const roleArn = aws(["iam", "create-role", "--role-name", role, "--assume-role-policy-document", trust])
      .Role.Arn as string;
    const awsAuth = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "aws-auth", namespace: "kube-system" },
      data: {
        mapRoles: `- rolearn: ${roleArn}\n  username: deployer:{{SessionName}}\n  groups: [deployers]\n`,
      },
    };
    const applied = kubectlAs(cluster, admin, ["apply", "-f", "-"], JSON.stringify(awsAuth));
    expect(applied.code, applied.stderr).toBe(0);
    const creds = aws([
      "sts",
      "assume-role",
      "--role-arn",
      roleArn,
      "--role-session-name",
      "alice",
    ]).Credentials;
    const session: AwsKey = {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      sessionToken: creds.SessionToken,
    };
    expect(aws(["sts", "get-caller-identity"], session).Arn).toBe(
      `arn:aws:sts::000000000000:assumed-role/${role}/alice`,
    );
    let who: any;
    await waitFor(
      () => {
        const r = kubectlAs(cluster, session, ["auth", "whoami", "-o", "json"]);
        if (r.code === 0) who = JSON.parse(r.stdout).status.userInfo;
        return r.code === 0;
      },
      20_000,
      "the aws-auth mapping to apply",
    );
    expect(who.username).toBe("deployer:alice");
    expect(who.groups).toContain("deployers");
  });
});

describe("RBAC", () => {
  it("lists for a fresh service account what kube lists", () => {
    const r = k.kubectl(["auth", "can-i", "--list", "--as=system:serviceaccount:default:default"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.trim().split(/\s+/).join(" "));
    expect(rows).toEqual([
      "selfsubjectreviews.authentication.k8s.io [] [] [create]",
      "selfsubjectaccessreviews.authorization.k8s.io [] [] [create]",
      "selfsubjectrulesreviews.authorization.k8s.io [] [] [create]",
      "[/.well-known/openid-configuration/] [] [get]",
      "[/.well-known/openid-configuration] [] [get]",
      "[/api/*] [] [get]",
      "[/api] [] [get]",
      "[/apis/*] [] [get]",
      "[/apis] [] [get]",
      "[/healthz] [] [get]",
      "[/healthz] [] [get]",
      "[/livez] [] [get]",
      "[/livez] [] [get]",
      "[/openapi/*] [] [get]",
      "[/openapi] [] [get]",
      "[/openid/v1/jwks/] [] [get]",
      "[/openid/v1/jwks] [] [get]",
      "[/readyz] [] [get]",
      "[/readyz] [] [get]",
      "[/version/] [] [get]",
      "[/version/] [] [get]",
      "[/version] [] [get]",
      "[/version] [] [get]",
    ]);
  });

  it("extends the aggregated view, edit and admin roles with a CRD's labelled ClusterRole", async () => {
    const role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: {
        name: "widgets-view",
        labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
      },
      rules: [{ apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get", "list", "watch"] }],
    };
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    };
    expect(k.kubectl(["apply", "-f", "-"], JSON.stringify(crd)).code).toBe(0);
    expect(k.kubectl(["apply", "-f", "-"], JSON.stringify(role)).code).toBe(0);
    expect(
      k.kubectl(["create", "rolebinding", "dana-view", "--clusterrole=view", "--user=dana", "-n", "default"])
        .code,
    ).toBe(0);
    expect(
      k.kubectl([
        "create",
        "rolebinding",
        "erin-admin",
        "--clusterrole=admin",
        "--user=erin",
        "-n",
        "default",
      ]).code,
    ).toBe(0);
    await waitFor(
      () => k.kubectl(["auth", "can-i", "list", "widgets.example.com", "--as=dana"]).stdout.trim() === "yes",
      10_000,
      "view to aggregate the widgets rule",
    );
    expect(k.kubectl(["auth", "can-i", "list", "widgets.example.com", "--as=erin"]).stdout.trim()).toBe(
      "yes",
    );
    expect(k.kubectl(["auth", "can-i", "delete", "widgets.example.com", "--as=dana"]).stdout.trim()).toBe(
      "no",
    );
  });

  it("grants a Role through a RoleBinding exactly its rules, in its namespace only", () => {
    const ns = "rbac-a";
    const objects = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "pod-reader", namespace: ns },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "bob-reads", namespace: ns },
        subjects: [{ kind: "User", name: "bob", apiGroup: "rbac.authorization.k8s.io" }],
        roleRef: { kind: "Role", name: "pod-reader", apiGroup: "rbac.authorization.k8s.io" },
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "carol-edits", namespace: ns },
        subjects: [{ kind: "User", name: "carol", apiGroup: "rbac.authorization.k8s.io" }],
        roleRef: { kind: "ClusterRole", name: "edit", apiGroup: "rbac.authorization.k8s.io" },
      },
    ];
    const r = k.kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
    );
    expect(r.code, r.stderr).toBe(0);
    const can = (who: string, args: string[]) =>
      k.kubectl(["auth", "can-i", ...args, `--as=${who}`]).stdout.trim();
    expect(can("bob", ["list", "pods", "-n", ns])).toBe("yes");
    expect(can("bob", ["get", "pods", "-n", ns])).toBe("yes");
    expect(can("bob", ["create", "pods", "-n", ns])).toBe("no");
    expect(can("bob", ["list", "secrets", "-n", ns])).toBe("no");
    expect(can("bob", ["list", "pods", "-n", "default"])).toBe("no");
    // A ClusterRole bound by a RoleBinding applies only in the binding's namespace.
    expect(can("carol", ["create", "deployments.apps", "-n", ns])).toBe("yes");
    expect(can("carol", ["create", "deployments.apps", "-n", "default"])).toBe("no");
    expect(can("carol", ["list", "nodes"])).toBe("no");
    // The request itself, not only the review.
    const denied = k.kubectl(["get", "secrets", "-n", ns, "--as=bob"]);
    expect(denied.stderr).toContain(
      `secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "${ns}"`,
    );
  });
});

/** Re-signs a presigned token URL with only `host` signed (x-k8s-aws-id travels unsigned). */
async function unsignedIdToken(): Promise<string> {
  const u = new URL(url);
  const signer = new SignatureV4({ service: "sts", region: REGION, sha256: Sha256, credentials: admin });
  const req = new HttpRequest({
    method: "GET",
    protocol: u.protocol,
    hostname: u.hostname,
    port: Number(u.port),
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host: u.host },
  });
  const signed = await signer.presign(req, { expiresIn: 60 });
  const q = new URLSearchParams(signed.query as Record<string, string>).toString();
  return `k8s-aws-v1.${Buffer.from(`${u.protocol}//${u.host}/?${q}`).toString("base64url")}`;
}

function decode(token: string): URL {
  return new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
}
function encode(u: URL): string {
  return `k8s-aws-v1.${Buffer.from(u.toString()).toString("base64url")}`;
}

describe("the security matrix", () => {
  it("refuses every forged or misused credential with 401 or 403 and changes nothing", async () => {
    const b = k.name;
    const target = `${url}/clusters/${b}/api/v1/namespaces/default/configmaps`;
    const good = await eksToken(url, b);
    const gone = newUser(`gone-${tag}`);
    const goneToken = await eksToken(url, b, gone.key);
    aws(["iam", "delete-access-key", "--user-name", `gone-${tag}`, "--access-key-id", gone.key.accessKeyId]);

    const forged = decode(good);
    const sig = forged.searchParams.get("X-Amz-Signature")!;
    forged.searchParams.set("X-Amz-Signature", `${sig[0] === "a" ? "b" : "a"}${sig.slice(1)}`);
    const extra = decode(good);
    extra.searchParams.append("Foo", "bar");
    const dup = decode(good);
    dup.searchParams.append("Action", "GetCallerIdentity");
    const old = await presignEksToken(url, b, admin, REGION, new Date(Date.now() - 16 * 60_000));
    const padded = `${good}${"=".repeat((4 - ((good.length - 11) % 4)) % 4 || 2)}`;

    const cases: [string, Record<string, string>][] = [
      ["no credential", {}],
      ["a forged signature", { authorization: `Bearer ${encode(forged)}` }],
      ["X-Amz-Date 16 minutes ago", { authorization: `Bearer ${old}` }],
      ["cluster A's token at cluster B", { authorization: `Bearer ${await eksToken(url, cluster)}` }],
      ["a token whose access key was deleted", { authorization: `Bearer ${goneToken}` }],
      [
        "a token for a foreign STS host",
        {
          authorization: `Bearer ${encode(new URL(decode(good).toString().replace(new URL(url).host, "sts.evil.example.com")))}`,
        },
      ],
      ["padded base64", { authorization: `Bearer ${padded}` }],
      ["an extra query parameter", { authorization: `Bearer ${encode(extra)}` }],
      ["a duplicated query parameter", { authorization: `Bearer ${encode(dup)}` }],
      ["an unsigned x-k8s-aws-id", { authorization: `Bearer ${await unsignedIdToken()}` }],
      ["a 5 KB token", { authorization: `Bearer k8s-aws-v1.${"A".repeat(5 * 1024)}` }],
      [
        "internal-identity headers from outside",
        { "x-remote-user": "system:kube-controller-manager", "x-remote-group": "system:masters" },
      ],
      ["impersonation without a credential", { "impersonate-user": "system:kube-scheduler" }],
    ];

    const viewer = newUser(`matrix-viewer-${tag}`);
    const viewerToken = await eksToken(url, cluster, viewer.key);
    aws(["eks", "create-access-entry", "--cluster-name", cluster, "--principal-arn", viewer.arn]);
    const clusterA = `${url}/clusters/${cluster}/api/v1/namespaces/default/configmaps`;

    for (const [i, [name, headers]] of cases.entries()) {
      const res = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `m${i}` } }),
      });
      expect([401, 403], `${name}: ${res.status}`).toContain(res.status);
      const body = (await res.json()) as { kind: string; code: number };
      expect(body.kind, name).toBe("Status");
    }
    // An authenticated principal that holds no rights cannot claim an internal identity either.
    const claims: Record<string, string>[] = [
      { "impersonate-user": "system:kube-controller-manager" },
      { "impersonate-user": "x", "impersonate-group": "system:masters" },
      { "x-remote-user": "system:kube-scheduler" },
    ];
    for (const headers of claims) {
      const res = await fetch(clusterA, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${viewerToken}`, ...headers },
        body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "claimed" } }),
      });
      expect([401, 403], JSON.stringify(headers)).toContain(res.status);
    }
    const listed = k.kubectl(["get", "configmaps", "-o", "name"]).stdout;
    for (let i = 0; i < cases.length; i++) expect(listed).not.toContain(`configmap/m${i}\n`);
    expect(kubectlAs(cluster, admin, ["get", "configmap", "claimed"]).code).not.toBe(0);
  });

  it("gives a principal of cluster A nothing of cluster B, through kubectl or the EKS API", () => {
    const a = newUser(`tenant-a-${tag}`);
    grant(cluster, a.arn, "AmazonEKSClusterAdminPolicy");
    expect(kubectlAs(cluster, a.key, ["get", "ns"]).code).toBe(0);
    // IAM: everything EKS offers, on cluster A's ARN only.
    const arnA = `arn:aws:eks:${REGION}:000000000000:cluster/${cluster}`;
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "eks:*", Resource: [arnA, `${arnA}/*`] }],
    };
    aws([
      "iam",
      "put-user-policy",
      "--user-name",
      `tenant-a-${tag}`,
      "--policy-name",
      "a-only",
      "--policy-document",
      JSON.stringify(policy),
    ]);
    expect(aws(["eks", "describe-cluster", "--name", cluster], a.key).cluster.name).toBe(cluster);
    const eksCalls = [
      ["describe-cluster", "--name", k.name],
      ["list-access-entries", "--cluster-name", k.name],
      ["list-addons", "--cluster-name", k.name],
      ["create-access-entry", "--cluster-name", k.name, "--principal-arn", a.arn],
      [
        "update-cluster-config",
        "--name",
        k.name,
        "--logging",
        '{"clusterLogging":[{"types":["api"],"enabled":true}]}',
      ],
      ["delete-cluster", "--name", k.name],
      ["list-clusters"],
    ];
    for (const call of eksCalls) {
      const r = run("aws", ["eks", ...call], a.key);
      expect(r.code, call.join(" ")).not.toBe(0);
      expect(r.stderr, call.join(" ")).toContain("AccessDeniedException");
    }
    expect(aws(["eks", "describe-cluster", "--name", k.name]).cluster.status).toBe("ACTIVE");
    // Cluster B was created by the admin, with no entry for this principal.
    for (const args of [
      ["get", "ns"],
      ["get", "pods", "-A"],
      ["create", "configmap", "x"],
      ["delete", "ns", "default"],
    ]) {
      const r = kubectlAs(k.name, a.key, args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
    }
  });
});
