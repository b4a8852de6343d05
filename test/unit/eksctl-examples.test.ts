import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { instanceType } from "../../lib/capacity/catalog.ts";
import { SimulatedCapacityProvider } from "../../lib/capacity/provider.ts";
import { zonesOf } from "../../lib/capacity/regions.ts";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { configureNodegroups } from "../../lib/eks/nodegroups.ts";
import { createEksApp } from "../../lib/eks/router.ts";
import {
  type ClusterConfig,
  type ClusterRequests,
  clusterRequests,
  dumpClusterConfig,
  loadClusterConfig,
  unsupportedFeatures,
} from "../../lib/eksctl/index.ts";

// Every file of eksctl's examples/ folder (test/fixtures/eksctl-examples): it loads, and its EKS requests
// are accepted by Kumulus' EKS API (in memory) with every node group ACTIVE and its nodes registered; or it
// is refused with `unsupported: <field>: <why>`. Retired Kubernetes versions are raised to the oldest
// supported one (the documented alternative to eksctl's "no longer supported" error).

const DIR = join(import.meta.dirname, "../fixtures/eksctl-examples");
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();
// Not the examples' placeholder account (111122223333): their pod identity roles are re-homed into it.
const ACCOUNT = "000000000000";
const REFUSED = {
  "12-gitops-toolkit.yaml": ["gitops.flux"],
  "23-kubeflow-spot-instance.yaml": [
    "nodeGroups[3].instancesDistribution.instanceTypes",
    "nodeGroups[4].instancesDistribution.instanceTypes",
  ],
  "36-outposts-vpc.yaml": ["vpc.subnets"],
} as Record<string, string[]>;

interface Outcome {
  cfg: ClusterConfig;
  refusals: string[];
}

function outcome(file: string): Outcome {
  const text = readFileSync(join(DIR, file), "utf8");
  const region = /region: (\S+)/.exec(text)![1]!;
  const cfg = loadClusterConfig(text, { file, upgradeRetiredVersions: true, regionZones: zonesOf(region) });
  const refusals = unsupportedFeatures(cfg, { instanceTypeExists: (t) => instanceType(t) !== undefined });
  return { cfg, refusals };
}

/** Creates the cluster through Kumulus' EKS API in memory; returns the registered nodes' zones by node group. */
async function create(cfg: ClusterConfig, r: ClusterRequests): Promise<Map<string, string[]>> {
  let now = Date.parse("2026-12-02T10:00:00Z");
  const nodes = new Map<string, string>();
  const zones = new Map<string, string[]>();
  configureNodegroups({
    rollouts: "inline",
    capacity: new SimulatedCapacityProvider({ now: () => now, region: cfg.metadata.region }),
    nodes: {
      register: async (_c, n) => {
        const ng = n.labels["eks.amazonaws.com/nodegroup"] ?? "";
        nodes.set(n.name, ng);
        zones.set(ng, [...(zones.get(ng) ?? []), n.labels["topology.kubernetes.io/zone"] ?? ""]);
      },
      remove: async (_c, name) => void nodes.delete(name),
      patch: async () => {},
      drain: async () => [],
    },
  });
  const app = createEksApp({
    repo: new MemoryEksRepo(),
    effects: new RecordingEffects(),
    region: cfg.metadata.region,
    account: ACCOUNT,
    endpointBase: "https://127.0.0.1:8443",
    caData: "Q0E=",
    now: () => now,
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, any>;
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const name = encodeURIComponent(cfg.metadata.name);
  const { name: _, ...createBody } = r.createCluster;
  await call("POST", "/clusters", { name: r.createCluster.name, ...createBody });
  const early = new Set(["vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent"]);
  const addon = ({ clusterName: _c, ...a }: ClusterRequests["addons"][number]) =>
    call("POST", `/clusters/${name}/addons`, a);
  for (const a of r.addons.filter((a) => early.has(a.addonName ?? ""))) await addon(a);
  for (const { clusterName: _c, ...ng } of r.nodegroups)
    await call("POST", `/clusters/${name}/node-groups`, ng);
  for (const { clusterName: _c, ...fp } of r.fargateProfiles) {
    await call("POST", `/clusters/${name}/fargate-profiles`, fp);
    now += 10 * 60_000; // EKS creates one profile at a time
  }
  for (const a of r.addons.filter((a) => !early.has(a.addonName ?? ""))) await addon(a);
  for (const { entry, policies } of r.accessEntries) {
    const { clusterName: _c, ...e } = entry;
    await call("POST", `/clusters/${name}/access-entries`, e);
    for (const { clusterName: _p, principalArn, ...p } of policies)
      await call(
        "POST",
        `/clusters/${name}/access-entries/${encodeURIComponent(principalArn ?? "")}/access-policies`,
        p,
      );
  }
  for (const { clusterName: _c, ...p } of r.podIdentityAssociations)
    await call("POST", `/clusters/${name}/pod-identity-associations`, p);
  for (const ng of r.nodegroups) {
    const d = (await call("GET", `/clusters/${name}/node-groups/${ng.nodegroupName}`)).nodegroup;
    expect({ ng: ng.nodegroupName, status: d.status }).toEqual({ ng: ng.nodegroupName, status: "ACTIVE" });
    const registered = [...nodes.values()].filter((n) => n === ng.nodegroupName).length;
    expect({ ng: ng.nodegroupName, nodes: registered }).toEqual({
      ng: ng.nodegroupName,
      nodes: ng.scalingConfig?.desiredSize,
    });
  }
  const listed = (await call("GET", `/clusters/${name}/addons`)).addons as string[];
  expect([...listed].sort()).toEqual(r.addons.map((a) => a.addonName).sort());
  return zones;
}

describe("eksctl's examples/ folder", () => {
  it("has all 49 files, of which at least 45 create a cluster and the rest are refused by field", () => {
    expect(FILES).toHaveLength(49);
    const refused = Object.fromEntries(
      FILES.map((f) => [f, outcome(f).refusals] as const).filter(([, r]) => r.length > 0),
    );
    for (const [f, messages] of Object.entries(refused)) {
      expect(messages.map((m) => /^unsupported: ([^:]+): ./.exec(m)?.[1])).toEqual(REFUSED[f]);
    }
    expect(Object.keys(refused).sort()).toEqual(Object.keys(REFUSED).sort());
    expect(FILES.length - Object.keys(refused).length).toBeGreaterThanOrEqual(45);
  });

  for (const file of FILES.filter((f) => !(f in REFUSED))) {
    it(`${file}: requests Kumulus accepts, and a working cluster`, async () => {
      const { cfg } = outcome(file);
      expect(loadClusterConfig(dumpClusterConfig(cfg))).toEqual(cfg);
      const r = clusterRequests(cfg, { account: ACCOUNT, regionZones: zonesOf(cfg.metadata.region) });
      const subnets = r.createCluster.resourcesVpcConfig?.subnetIds ?? [];
      expect(subnets.length).toBeGreaterThanOrEqual(2);
      for (const ng of r.nodegroups) {
        for (const t of ng.instanceTypes ?? [])
          expect(instanceType(t), `${ng.nodegroupName}: ${t}`).toBeDefined();
        const { minSize = 0, desiredSize = 0, maxSize = 0 } = ng.scalingConfig ?? {};
        expect(
          minSize <= desiredSize && desiredSize <= maxSize && maxSize >= 1,
          `${ng.nodegroupName} scaling`,
        ).toBe(true);
        expect(ng.subnets?.length).toBeGreaterThan(0);
      }
      await create(cfg, r);
    });
  }
});

// The eksworkshop.yaml of the source documents (seed 003): it pins 1.17, which EKS no longer supports.
const EKSWORKSHOP = `---
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig

 
metadata:
  name: eksworkshop-eksctl
  region: ap-southeast-1
  version: "1.17"

availabilityZones: ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]

managedNodeGroups:
- name: nodegroup
  desiredCapacity: 3
  ssh:
    allow: true
    publicKeyName: eksworkshop

secretsEncryption:
  keyARN: arn:aws:kms:ap-southeast-1:123456789012:key/93516110-3af6-4bcf-80ca-9140b703828d
`;

describe("eksworkshop.yaml", () => {
  it("as written, gets eksctl's no-longer-supported message", () => {
    expect(() => loadClusterConfig(EKSWORKSHOP, { file: "eksworkshop.yaml" })).toThrow(
      "resolving cluster version: invalid version, 1.17 is no longer supported, supported values: 1.32, 1.33, 1.34, 1.35, 1.36, 1.37",
    );
  });

  it("without its version line, creates 3 nodes over its three zones", async () => {
    const cfg = loadClusterConfig(EKSWORKSHOP.replace('  version: "1.17"\n', ""), {
      file: "eksworkshop.yaml",
    });
    const r = clusterRequests(cfg, { account: ACCOUNT, regionZones: zonesOf(cfg.metadata.region) });
    expect(r.createCluster.encryptionConfig?.[0]?.provider?.keyArn).toContain(":key/93516110-");
    expect(r.nodegroups[0]).toMatchObject({
      remoteAccess: { ec2SshKey: "eksworkshop" },
      instanceTypes: ["m5.large"],
    });
    const zones = await create(cfg, r);
    expect([...(zones.get("nodegroup") ?? [])].sort()).toEqual([
      "ap-southeast-1a",
      "ap-southeast-1b",
      "ap-southeast-1c",
    ]);
  });
});
