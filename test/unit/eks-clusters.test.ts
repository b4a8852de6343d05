import { beforeEach, describe, expect, it } from "vitest";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import type { EksContext } from "../../lib/eks/repo.ts";
import { createEksApp, isEksPath } from "../../lib/eks/router.ts";
import { issuerFor } from "../../lib/eks/shapes.ts";
import { DEFAULT_VERSION } from "../../lib/eks/versions.ts";
import { memoryEksContext } from "./eks-context.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");
let repo: MemoryEksRepo;
let effects: RecordingEffects;
let ctx: EksContext;
let app: ReturnType<typeof createEksApp>;

beforeEach(() => {
  repo = new MemoryEksRepo();
  effects = new RecordingEffects();
  ctx = memoryEksContext({
    repo,
    effects,
    region: "us-east-1",
    account: "123456789012",
    caData: "LS0tLS1CRUdJTi1DQQ==",
    now: () => NOW,
  });
  app = createEksApp(ctx);
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

const ROLE = "arn:aws:iam::123456789012:role/eks";
const create = (name: string, extra: Record<string, unknown> = {}) =>
  call("POST", "/clusters", { name, roleArn: ROLE, resourcesVpcConfig: {}, ...extra });

describe("CreateCluster / DescribeCluster", () => {
  it("creates a cluster CREATING, then describes it ACTIVE with EKS defaults", async () => {
    const res = await create("demo", { nodes: 3, tags: { team: "a" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amzn-RequestId")).toMatch(/^[0-9a-f-]{36}$/);
    const c = res.json.cluster;
    expect(c.status).toBe("CREATING");
    expect(c.arn).toBe("arn:aws:eks:us-east-1:123456789012:cluster/demo");
    expect(c.createdAt).toBe(NOW / 1000);
    expect(c.version).toBe(DEFAULT_VERSION);
    expect(c.endpoint).toBeUndefined();
    expect(c.outpostConfig).toBeUndefined();

    const d = (await call("GET", "/clusters/demo")).json.cluster;
    expect(d.status).toBe("ACTIVE");
    expect(d.endpoint).toBe("https://127.0.0.1:8443/clusters/demo");
    expect(d.certificateAuthority).toEqual({ data: "LS0tLS1CRUdJTi1DQQ==" });
    const doc = (await repo.get("demo"))!.doc;
    expect(doc.id).toMatch(/^[0-9A-F]{32}$/);
    expect(d.identity.oidc.issuer).toBe(issuerFor(ctx, doc));
    expect(d.identity.oidc.issuer).toBe(`https://127.0.0.1:8443/oidc/id/${doc.id}`);
    expect(d.kubernetesNetworkConfig).toEqual({
      serviceIpv4Cidr: "10.100.0.0/16",
      ipFamily: "ipv4",
      elasticLoadBalancing: { enabled: false },
    });
    expect(d.accessConfig).toEqual({
      bootstrapClusterCreatorAdminPermissions: true,
      authenticationMode: "CONFIG_MAP",
    });
    expect(d.upgradePolicy).toEqual({ supportType: "EXTENDED" });
    expect(d.health).toEqual({ issues: [] });
    expect(d.tags).toEqual({ team: "a" });
    expect(d.logging.clusterLogging).toEqual([
      { types: ["api", "audit", "authenticator", "controllerManager", "scheduler"], enabled: false },
    ]);
    const vpc = d.resourcesVpcConfig;
    expect(vpc.subnetIds).toHaveLength(3);
    expect(vpc.subnetIds[0]).toMatch(/^subnet-[0-9a-f]{17}$/);
    expect(vpc.vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(vpc.clusterSecurityGroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(vpc).toMatchObject({
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ["0.0.0.0/0"],
    });
    expect(doc.nodes).toBe(3);
    expect(effects.bootstrapped.map((b) => b.name)).toEqual(["demo"]);
  });

  it("keeps the subnets it is given and the deterministic ids stay stable", async () => {
    await create("net", {
      resourcesVpcConfig: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] },
    });
    const a = (await call("GET", "/clusters/net")).json.cluster.resourcesVpcConfig;
    const b = (await call("GET", "/clusters/net")).json.cluster.resourcesVpcConfig;
    expect(a.subnetIds).toEqual(["subnet-a", "subnet-b"]);
    expect(a.securityGroupIds).toEqual(["sg-1"]);
    expect(a).toEqual(b);
  });

  it("installs vpc-cni, kube-proxy and coredns as self-managed objects, not as listed add-ons", async () => {
    await create("self");
    expect(effects.find("self", "DaemonSet", "aws-node", "kube-system")).toBeDefined();
    expect(effects.find("self", "DaemonSet", "kube-proxy", "kube-system")).toBeDefined();
    expect(effects.find("self", "Deployment", "coredns", "kube-system")).toBeDefined();
    expect((await call("GET", "/clusters/self/addons")).json.addons).toEqual([]);

    await create("bare", { bootstrapSelfManagedAddons: false });
    expect(effects.find("bare", "Deployment", "coredns")).toBeUndefined();
  });

  it("answers a retry with the same clientRequestToken with the cluster, others with 409", async () => {
    const first = await create("idem", { clientRequestToken: "tok-1" });
    const again = await create("idem", { clientRequestToken: "tok-1" });
    expect(again.status).toBe(200);
    expect(again.json.cluster.arn).toBe(first.json.cluster.arn);
    expect(again.json.cluster.clientRequestToken).toBe("tok-1");
    expect((await repo.list()).length).toBe(1);

    const dup = await create("idem", { clientRequestToken: "tok-2" });
    expect(dup.status).toBe(409);
    expect(dup.headers.get("x-amzn-ErrorType")).toBe("ResourceInUseException");
    expect(dup.json).toEqual({ clusterName: "idem", message: "Cluster already exists with name: idem" });
    expect((await create("idem")).status).toBe(409);
  });

  it("marks the cluster FAILED with a health issue when bootstrap throws", async () => {
    effects.failNext("bootstrap", new Error("store unavailable"));
    const res = await create("broken");
    expect(res.json.cluster.status).toBe("CREATING");
    const d = (await call("GET", "/clusters/broken")).json.cluster;
    expect(d.status).toBe("FAILED");
    expect(d.health.issues[0]).toMatchObject({ code: "InternalFailure" });
    expect(d.health.issues[0].message).toContain("store unavailable");
  });
});

describe("CreateCluster validation (nothing is stored)", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["bad name", { name: "-bad" }, /^The parameter name contains invalid characters/],
    [
      "long name",
      { name: "a".repeat(101) },
      /at 'name' failed to satisfy constraint: Member must have length less/,
    ],
    ["old version", { version: "1.20" }, /^unsupported Kubernetes version 1\.20$/],
    ["expired version", { version: "1.31" }, /^unsupported Kubernetes version 1\.31$/],
    [
      "public CIDR",
      { kubernetesNetworkConfig: { serviceIpv4Cidr: "8.8.0.0/16" } },
      /serviceIpv4Cidr 8\.8\.0\.0\/16/,
    ],
    ["too big", { kubernetesNetworkConfig: { serviceIpv4Cidr: "10.0.0.0/8" } }, /serviceIpv4Cidr/],
    ["too small", { kubernetesNetworkConfig: { serviceIpv4Cidr: "10.0.0.0/25" } }, /serviceIpv4Cidr/],
    ["one subnet", { resourcesVpcConfig: { subnetIds: ["subnet-a"] } }, /at least two different AZs/],
    ["reserved tag", { tags: { "aws:x": "1" } }, /reserved/],
    ["bad log type", { logging: { clusterLogging: [{ types: ["nope"], enabled: true }] } }, /enum value set/],
    [
      "CONFIG_MAP without admin",
      { accessConfig: { authenticationMode: "CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: false } },
      /^bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP$/,
    ],
    [
      "nodes",
      { nodes: 101 },
      /at 'nodes' failed to satisfy constraint: Member must have value less than or equal to 100/,
    ],
  ];
  it.each(cases)("%s → InvalidParameterException", async (_label, extra, message) => {
    const res = await call("POST", "/clusters", {
      name: "v",
      roleArn: ROLE,
      resourcesVpcConfig: {},
      ...extra,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-ErrorType")).toBe("InvalidParameterException");
    expect(res.json.message).toMatch(message);
    expect(await repo.list()).toEqual([]);
    expect(effects.calls).toEqual([]);
  });

  it("requires roleArn and resourcesVpcConfig", async () => {
    const res = await call("POST", "/clusters", { name: "v" });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(
      "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'resourcesVpcConfig' failed to satisfy constraint: Member must not be null",
    );
  });

  it("accepts a custom private service CIDR", async () => {
    await create("c172", { kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" } });
    const d = (await call("GET", "/clusters/c172")).json.cluster;
    expect(d.kubernetesNetworkConfig.serviceIpv4Cidr).toBe("172.20.0.0/16");
    expect(effects.find("c172", "Service", "kube-dns")?.spec).toMatchObject({ clusterIP: "172.20.0.10" });
  });
});

describe("ListClusters", () => {
  it("lists names sorted and pages with an opaque nextToken", async () => {
    for (const n of ["c", "a", "e", "b", "d"]) await create(n);
    const p1 = (await call("GET", "/clusters?maxResults=2")).json;
    expect(p1.clusters).toEqual(["a", "b"]);
    const p2 = (await call("GET", `/clusters?maxResults=2&nextToken=${p1.nextToken}`)).json;
    expect(p2.clusters).toEqual(["c", "d"]);
    const p3 = (await call("GET", `/clusters?maxResults=2&nextToken=${p2.nextToken}`)).json;
    expect(p3).toEqual({ clusters: ["e"] });
    expect((await call("GET", "/clusters")).json).toEqual({ clusters: ["a", "b", "c", "d", "e"] });
  });

  it.each(["0", "101", "x"])("refuses maxResults=%s", async (m) => {
    const res = await call("GET", `/clusters?maxResults=${m}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-ErrorType")).toBe("InvalidParameterException");
  });
});

describe("DeleteCluster", () => {
  it("answers DELETING, tears down, then DescribeCluster is a 404", async () => {
    await create("gone");
    await call("POST", "/clusters/gone/addons", { addonName: "metrics-server" });
    const res = await call("DELETE", "/clusters/gone");
    expect(res.status).toBe(200);
    expect(res.json.cluster.status).toBe("DELETING");
    expect(effects.calls.at(-1)).toEqual({ kind: "destroy", cluster: "gone" });
    const after = await call("GET", "/clusters/gone");
    expect(after.status).toBe(404);
    expect(after.headers.get("x-amzn-ErrorType")).toBe("ResourceNotFoundException");
    expect(after.json).toEqual({ clusterName: "gone", message: "No cluster found for name: gone." });
  });

  it("is a 404 for an unknown cluster, and a failed teardown can be retried", async () => {
    expect((await call("DELETE", "/clusters/nope")).status).toBe(404);
    await create("retry");
    effects.failNext("destroy");
    expect((await call("DELETE", "/clusters/retry")).json.cluster.status).toBe("DELETING");
    expect((await call("GET", "/clusters/retry")).json.cluster.status).toBe("DELETING");
    await call("DELETE", "/clusters/retry");
    expect((await call("GET", "/clusters/retry")).status).toBe(404);
  });
});

describe("wire format", () => {
  it("answers malformed JSON with a 400 AWS error", async () => {
    const res = await call("POST", "/clusters", "{not json");
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-ErrorType")).toBe("SerializationException");
    expect(typeof res.json.message).toBe("string");
  });

  it("answers an unknown EKS route with an AWS-shaped 404", async () => {
    const res = await call("GET", "/clusters/demo/identity-provider-configs");
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-ErrorType")).toBe("NotFoundException");
    expect(res.json.message).toContain("/clusters/demo/identity-provider-configs");
  });

  it("tells EKS paths from Kubernetes paths", () => {
    expect(isEksPath("POST", "/clusters")).toBe(true);
    expect(isEksPath("GET", "/clusters/demo")).toBe(true);
    expect(isEksPath("DELETE", "/clusters/demo")).toBe(true);
    expect(isEksPath("GET", "/clusters/demo/updates/abc")).toBe(true);
    expect(isEksPath("POST", "/clusters/demo/update-config")).toBe(true);
    expect(isEksPath("POST", "/clusters/demo/addons/coredns/update")).toBe(true);
    expect(isEksPath("GET", "/cluster-versions")).toBe(true);
    expect(isEksPath("GET", "/addons/supported-versions")).toBe(true);
    expect(isEksPath("GET", "/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Acluster%2Fdemo")).toBe(true);
    for (const k of ["api/v1/pods", "apis", "version", "openapi/v2", "healthz", "livez", "readyz", "metrics"])
      expect(isEksPath("GET", `/clusters/demo/${k}`)).toBe(false);
    expect(isEksPath("GET", "/clusters/demo/.well-known/openid-configuration")).toBe(false);
    expect(isEksPath("GET", "/clusters/demo/logs/")).toBe(false);
    expect(isEksPath("GET", "/clusters/demo/")).toBe(false);
    expect(isEksPath("GET", "/healthz")).toBe(false);
  });
});
