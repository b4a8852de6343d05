import { beforeEach, describe, expect, it } from "vitest";
import { defaultAddonVersion } from "../../lib/eks/addons/catalog.ts";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");
let effects: RecordingEffects;
let app: ReturnType<typeof createEksApp>;

beforeEach(async () => {
  effects = new RecordingEffects();
  app = createEksApp({
    repo: new MemoryEksRepo(),
    effects,
    region: "us-east-1",
    account: "123456789012",
    endpointBase: "https://127.0.0.1:8443",
    caData: "Q0E=",
    now: () => NOW,
  });
  const body = { name: "ad", version: "1.32", roleArn: "arn:aws:iam::1:role/r", resourcesVpcConfig: {} };
  await call("POST", "/clusters", { ...body, bootstrapSelfManagedAddons: false });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

describe("DescribeAddonVersions", () => {
  it("lists the six add-ons, versions limited to the asked Kubernetes version", async () => {
    const all = (await call("GET", "/addons/supported-versions?kubernetesVersion=1.32")).json.addons;
    expect(all.map((a: any) => a.addonName)).toEqual([
      "aws-ebs-csi-driver",
      "coredns",
      "eks-pod-identity-agent",
      "kube-proxy",
      "metrics-server",
      "vpc-cni",
    ]);
    const proxy = all.find((a: any) => a.addonName === "kube-proxy");
    expect(proxy).toMatchObject({
      type: "networking",
      owner: "aws",
      publisher: "eks",
      defaultNamespace: "kube-system",
    });
    for (const v of proxy.addonVersions) {
      expect(v.addonVersion).toMatch(/^v1\.32\.\d+-eksbuild\.\d+$/);
      expect(v.compatibilities).toHaveLength(1);
      expect(v.compatibilities[0].clusterVersion).toBe("1.32");
    }
    expect(proxy.addonVersions.filter((v: any) => v.compatibilities[0].defaultVersion)).toHaveLength(1);
    const dns = all.find((a: any) => a.addonName === "coredns");
    const dflt = dns.addonVersions.find((v: any) => v.compatibilities[0].defaultVersion);
    expect(dflt.addonVersion).toBe("v1.11.4-eksbuild.2");
  });

  it("filters by addonName, types and owners and pages by name", async () => {
    const one = (await call("GET", "/addons/supported-versions?addonName=coredns")).json.addons;
    expect(one).toHaveLength(1);
    const net = (await call("GET", "/addons/supported-versions?types=networking&types=storage")).json.addons;
    expect(net.map((a: any) => a.addonName)).toEqual([
      "aws-ebs-csi-driver",
      "coredns",
      "kube-proxy",
      "vpc-cni",
    ]);
    expect((await call("GET", "/addons/supported-versions?owners=marketplace")).json.addons).toEqual([]);
    expect((await call("GET", "/addons/supported-versions?addonName=nope")).json.addons).toEqual([]);
    const p1 = (await call("GET", "/addons/supported-versions?maxResults=4")).json;
    expect(p1.addons).toHaveLength(4);
    const p2 = (await call("GET", `/addons/supported-versions?maxResults=4&nextToken=${p1.nextToken}`)).json;
    expect(p2.addons.map((a: any) => a.addonName)).toEqual(["metrics-server", "vpc-cni"]);
    expect(p2.nextToken).toBeUndefined();
  });
});

describe("CreateAddon / DescribeAddon / ListAddons", () => {
  it("creates CREATING, applies the objects, and describes ACTIVE", async () => {
    const res = await call("POST", "/clusters/ad/addons", {
      addonName: "coredns",
      addonVersion: "v1.11.4-eksbuild.2",
    });
    expect(res.status).toBe(200);
    expect(res.json.addon).toMatchObject({
      addonName: "coredns",
      clusterName: "ad",
      status: "CREATING",
      addonVersion: "v1.11.4-eksbuild.2",
      createdAt: NOW / 1000,
      health: { issues: [] },
    });
    const dep = effects.find("ad", "Deployment", "coredns", "kube-system") as any;
    expect(dep.spec.template.spec.containers[0].image).toBe(
      "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns:v1.11.4-eksbuild.2",
    );
    expect((await call("GET", "/clusters/ad/addons/coredns")).json.addon.status).toBe("ACTIVE");
    expect((await call("GET", "/clusters/ad/addons")).json).toEqual({ addons: ["coredns"] });
  });

  it("defaults the version to the cluster version's default and annotates the role", async () => {
    const role = "arn:aws:iam::123456789012:role/ebs";
    const res = await call("POST", "/clusters/ad/addons", {
      addonName: "aws-ebs-csi-driver",
      serviceAccountRoleArn: role,
    });
    expect(res.json.addon.addonVersion).toBe(defaultAddonVersion("aws-ebs-csi-driver", "1.32"));
    expect(res.json.addon.serviceAccountRoleArn).toBe(role);
    const sa = effects.find("ad", "ServiceAccount", "ebs-csi-controller-sa");
    expect(sa?.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": role });
    expect(effects.find("ad", "CSIDriver", "ebs.csi.aws.com")).toBeDefined();
  });

  it("refuses unknown add-ons, incompatible versions and duplicates with EKS's messages", async () => {
    const unknown = await call("POST", "/clusters/ad/addons", { addonName: "cert-manager" });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("x-amzn-ErrorType")).toBe("InvalidParameterException");
    expect(unknown.json).toEqual({
      clusterName: "ad",
      addonName: "cert-manager",
      message: "Addon cert-manager specified is not supported in 1.32 kubernetes version",
    });
    const wrong = await call("POST", "/clusters/ad/addons", {
      addonName: "kube-proxy",
      addonVersion: "v1.33.0-eksbuild.2",
    });
    expect(wrong.json.message).toBe("Addon version specified is not supported");
    expect((await call("GET", "/clusters/ad/addons")).json.addons).toEqual([]);

    await call("POST", "/clusters/ad/addons", { addonName: "vpc-cni", clientRequestToken: "t" });
    const retry = await call("POST", "/clusters/ad/addons", {
      addonName: "vpc-cni",
      clientRequestToken: "t",
    });
    expect(retry.status).toBe(200);
    const dup = await call("POST", "/clusters/ad/addons", { addonName: "vpc-cni" });
    expect(dup.status).toBe(409);
    expect(dup.headers.get("x-amzn-ErrorType")).toBe("ResourceInUseException");
    expect(dup.json.message).toBe("Addon already exists.");
  });

  it("is ResourceNotFound for an unknown cluster or add-on", async () => {
    const noCluster = await call("POST", "/clusters/none/addons", { addonName: "coredns" });
    expect(noCluster.status).toBe(404);
    expect(noCluster.json.message).toBe("No cluster found for name: none.");
    const noAddon = await call("GET", "/clusters/ad/addons/coredns");
    expect(noAddon.status).toBe(404);
    expect(noAddon.json).toEqual({
      clusterName: "ad",
      addonName: "coredns",
      message: "No addon: coredns found in cluster: ad",
    });
  });

  it("records CREATE_FAILED when applying the objects fails", async () => {
    effects.failNext("applyObjects", new Error("conflict on DaemonSet kube-proxy"));
    await call("POST", "/clusters/ad/addons", { addonName: "kube-proxy" });
    const a = (await call("GET", "/clusters/ad/addons/kube-proxy")).json.addon;
    expect(a.status).toBe("CREATE_FAILED");
    expect(a.health.issues[0].message).toContain("conflict");
  });
});

describe("UpdateAddon", () => {
  it("re-applies the add-on at a new version as an AddonUpdate", async () => {
    await call("POST", "/clusters/ad/addons", { addonName: "coredns", addonVersion: "v1.11.4-eksbuild.2" });
    const res = await call("POST", "/clusters/ad/addons/coredns/update", {
      addonVersion: "v1.12.1-eksbuild.2",
      resolveConflicts: "OVERWRITE",
    });
    expect(res.status).toBe(200);
    expect(res.json.update).toMatchObject({
      type: "AddonUpdate",
      status: "InProgress",
      params: [
        { type: "AddonVersion", value: "v1.12.1-eksbuild.2" },
        { type: "ResolveConflicts", value: "OVERWRITE" },
      ],
    });
    const a = (await call("GET", "/clusters/ad/addons/coredns")).json.addon;
    expect(a).toMatchObject({ status: "ACTIVE", addonVersion: "v1.12.1-eksbuild.2" });
    const dep = effects.find("ad", "Deployment", "coredns") as any;
    const image = dep.spec.template.spec.containers[0].image;
    expect(image).toMatch(/coredns:v1\.12\.1-eksbuild\.2$/);
    const id = res.json.update.id;
    expect((await call("GET", "/clusters/ad/updates?addonName=coredns")).json.updateIds).toEqual([id]);
    expect((await call("GET", "/clusters/ad/updates")).json.updateIds).toEqual([]);
    expect((await call("GET", `/clusters/ad/updates/${id}?addonName=coredns`)).json.update.status).toBe(
      "Successful",
    );
    expect((await call("GET", `/clusters/ad/updates/${id}`)).status).toBe(404);
  });

  it("refuses an incompatible version and an unknown add-on", async () => {
    await call("POST", "/clusters/ad/addons", { addonName: "coredns" });
    const bad = await call("POST", "/clusters/ad/addons/coredns/update", {
      addonVersion: "v9.9.9-eksbuild.1",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe("Addon version specified is not supported");
    expect((await call("POST", "/clusters/ad/addons/vpc-cni/update", {})).status).toBe(404);
  });
});

describe("DeleteAddon", () => {
  it("answers DELETING, removes the objects, then 404", async () => {
    await call("POST", "/clusters/ad/addons", { addonName: "metrics-server" });
    expect(effects.find("ad", "Deployment", "metrics-server")).toBeDefined();
    const res = await call("DELETE", "/clusters/ad/addons/metrics-server");
    expect(res.status).toBe(200);
    expect(res.json.addon.status).toBe("DELETING");
    expect(effects.find("ad", "Deployment", "metrics-server")).toBeUndefined();
    expect((await call("GET", "/clusters/ad/addons/metrics-server")).status).toBe(404);
    expect((await call("DELETE", "/clusters/ad/addons/metrics-server")).status).toBe(404);
  });

  it("keeps the objects with preserve=true", async () => {
    await call("POST", "/clusters/ad/addons", { addonName: "eks-pod-identity-agent" });
    await call("DELETE", "/clusters/ad/addons/eks-pod-identity-agent?preserve=true");
    expect(effects.find("ad", "DaemonSet", "eks-pod-identity-agent")).toBeDefined();
    expect((await call("GET", "/clusters/ad/addons")).json.addons).toEqual([]);
  });
});
