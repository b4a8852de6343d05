import { beforeEach, describe, expect, it } from "vitest";
import { allocatableOf, capacityOf, requireInstanceType } from "../../lib/capacity/catalog.ts";
import { SimulatedCapacityProvider } from "../../lib/capacity/provider.ts";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { applyNodeChange } from "../../lib/eks/node-drain.ts";
import { configureNodegroups, type NodeRegistrationData, scaleInVictims } from "../../lib/eks/nodegroups.ts";
import { createEksApp } from "../../lib/eks/router.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");
let app: ReturnType<typeof createEksApp>;
let provider: SimulatedCapacityProvider;
let nodes: Map<string, NodeRegistrationData>;
let failRegister: boolean;
let subnets: string[];
let drained: string[][];

beforeEach(async () => {
  provider = new SimulatedCapacityProvider({ now: () => NOW });
  nodes = new Map();
  failRegister = false;
  drained = [];
  configureNodegroups({
    rollouts: "inline",
    capacity: provider,
    nodes: {
      register: async (_c, n) => {
        if (failRegister) throw new Error("kubelet down");
        nodes.set(n.name, n);
      },
      remove: async (_c, name) => {
        nodes.delete(name);
      },
      patch: async (_c, name, change) => {
        const n = nodes.get(name);
        if (n) Object.assign(n, applyNodeChange(n.labels, n.taints, change));
      },
      drain: async (_c, names) => {
        drained.push([...names]);
        return [];
      },
    },
  });
  app = createEksApp({
    repo: new MemoryEksRepo(),
    effects: new RecordingEffects(),
    region: "us-east-1",
    account: "123456789012",
    endpointBase: "https://127.0.0.1:8443",
    caData: "Q0E=",
    now: () => NOW,
  });
  const body = { name: "ng", version: "1.32", roleArn: "arn:aws:iam::1:role/r", resourcesVpcConfig: {} };
  await call("POST", "/clusters", { ...body, bootstrapSelfManagedAddons: false });
  subnets = (await call("GET", "/clusters/ng")).json.cluster.resourcesVpcConfig.subnetIds;
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

const ROLE = "arn:aws:iam::123456789012:role/node";
const base = () => ({
  nodegroupName: "workers",
  nodeRole: ROLE,
  subnets: subnets.slice(0, 2),
  instanceTypes: ["m5.large"],
  scalingConfig: { minSize: 1, maxSize: 5, desiredSize: 3 },
  labels: { team: "a" },
  taints: [{ key: "dedicated", value: "gpu", effect: "NO_SCHEDULE" }],
});

describe("CreateNodegroup", () => {
  it("answers CREATING, turns ACTIVE and reports the EKS shape", async () => {
    const r = await call("POST", "/clusters/ng/node-groups", base());
    expect(r.status).toBe(200);
    expect(r.json.nodegroup.status).toBe("CREATING");
    const d = (await call("GET", "/clusters/ng/node-groups/workers")).json.nodegroup;
    expect(d).toMatchObject({
      nodegroupName: "workers",
      clusterName: "ng",
      status: "ACTIVE",
      version: "1.32",
      capacityType: "ON_DEMAND",
      amiType: "AL2023_x86_64_STANDARD",
      diskSize: 20,
      nodeRole: ROLE,
      instanceTypes: ["m5.large"],
      subnets: subnets.slice(0, 2),
      scalingConfig: { minSize: 1, maxSize: 5, desiredSize: 3 },
      labels: { team: "a" },
      taints: [{ key: "dedicated", value: "gpu", effect: "NO_SCHEDULE" }],
      health: { issues: [] },
      createdAt: NOW / 1000,
      modifiedAt: NOW / 1000,
      updateConfig: { maxUnavailable: 1 },
    });
    expect(d.releaseVersion).toMatch(/^1\.32\.\d+-\d{8}$/);
    const uuid = d.nodegroupArn.split("/").pop();
    expect(d.nodegroupArn).toBe(`arn:aws:eks:us-east-1:123456789012:nodegroup/ng/workers/${uuid}`);
    expect(d.resources.autoScalingGroups).toEqual([{ name: `eks-workers-${uuid}` }]);
  });

  it("launches desiredSize instances over the subnets' zones and registers EKS-labelled nodes", async () => {
    await call("POST", "/clusters/ng/node-groups", base());
    const live = await provider.describe("ng", { states: ["running"] });
    expect(live).toHaveLength(3);
    expect(new Set(live.map((i) => i.zone))).toEqual(new Set(["us-east-1a", "us-east-1b"]));
    expect(live.every((i) => i.instanceType === "m5.large" && i.capacityType === "on-demand")).toBe(true);
    expect(live[0].tags["eks:nodegroup-name"]).toBe("workers");
    expect([...nodes.keys()].sort()).toEqual(live.map((i) => i.privateDnsName).sort());
    const i = live[0];
    const n = nodes.get(i.privateDnsName)!;
    const t = requireInstanceType("m5.large");
    expect(n.labels).toMatchObject({
      "eks.amazonaws.com/nodegroup": "workers",
      "eks.amazonaws.com/capacityType": "ON_DEMAND",
      "node.kubernetes.io/instance-type": "m5.large",
      "topology.kubernetes.io/zone": i.zone,
      "topology.kubernetes.io/region": "us-east-1",
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/os": "linux",
      "kubernetes.io/hostname": i.privateDnsName,
      team: "a",
    });
    expect(n.labels["eks.amazonaws.com/nodegroup-image"]).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(Object.keys(n.labels).some((k) => k.startsWith("karpenter."))).toBe(false);
    expect(n.taints).toEqual([{ key: "dedicated", value: "gpu", effect: "NoSchedule" }]);
    expect(n.providerID).toBe(`aws:///${i.zone}/${i.id}`);
    expect(n.capacity).toEqual(capacityOf(t));
    expect(n.allocatable).toEqual(allocatableOf(t));
  });

  it("labels spot nodes SPOT and defaults type, sizes and disk", async () => {
    const r = await call("POST", "/clusters/ng/node-groups", {
      nodegroupName: "s",
      nodeRole: ROLE,
      subnets,
      capacityType: "SPOT",
    });
    expect(r.json.nodegroup).toMatchObject({
      instanceTypes: ["t3.medium"],
      scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 2 },
      capacityType: "SPOT",
    });
    expect(nodes.size).toBe(2);
    for (const n of nodes.values()) expect(n.labels["eks.amazonaws.com/capacityType"]).toBe("SPOT");
  });

  it("refuses bad parameters with EKS's errors", async () => {
    const bad = async (patch: Record<string, unknown>) => {
      const r = await call("POST", "/clusters/ng/node-groups", { ...base(), ...patch });
      expect(r.status).toBe(400);
      expect(r.headers.get("x-amzn-ErrorType")).toBe("InvalidParameterException");
      return r.json.message as string;
    };
    expect(await bad({ instanceTypes: ["m5.huge"] })).toBe("m5.huge is not a valid instance type.");
    expect(await bad({ amiType: "AL2023_ARM_64_STANDARD" })).toBe(
      "[m5.large] is not a valid instance type for requested amiType AL2023_ARM_64_STANDARD",
    );
    expect(await bad({ scalingConfig: { minSize: 4, maxSize: 3, desiredSize: 3 } })).toBe(
      "Minimum capacity 4 can't be greater than maximum capacity 3",
    );
    expect(await bad({ scalingConfig: { minSize: 2, maxSize: 3, desiredSize: 1 } })).toBe(
      "Minimum capacity 2 can't be greater than desired size 1",
    );
    expect(await bad({ scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 4 } })).toBe(
      "Desired capacity 4 can't be greater than max size 3",
    );
    const labels = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(await bad({ labels })).toBe("Number of labels 51 exceeds the limit of 50.");
    const taints = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, effect: "NO_EXECUTE" }));
    expect(await bad({ taints })).toBe("Number of taints 51 exceeds the limit of 50.");
    expect(await bad({ taints: [{ key: "a", effect: "NoSchedule" }] })).toMatch(
      /^1 validation error detected: Value 'NoSchedule' at 'taints\.0\.effect' failed to satisfy constraint: Member must satisfy enum value set: \[NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE\]$/,
    );
    expect(await bad({ nodeRole: undefined })).toMatch(
      /at 'nodeRole' failed to satisfy constraint: Member must not be null/,
    );
    expect(await bad({ nodegroupName: "-x" })).toMatch(/at 'nodegroupName' failed to satisfy constraint/);
    expect(await bad({ version: "1.33" })).toMatch(/newer than the cluster version 1\.32/);
    expect(nodes.size).toBe(0);
    expect(await provider.describe("ng")).toEqual([]);
  });

  it("refuses a duplicate name (unless the client token repeats) and an unknown cluster", async () => {
    await call("POST", "/clusters/ng/node-groups", { ...base(), clientRequestToken: "t1" });
    const dup = await call("POST", "/clusters/ng/node-groups", base());
    expect(dup.status).toBe(409);
    expect(dup.headers.get("x-amzn-ErrorType")).toBe("ResourceInUseException");
    expect(dup.json).toMatchObject({ clusterName: "ng", nodegroupName: "workers" });
    const again = await call("POST", "/clusters/ng/node-groups", { ...base(), clientRequestToken: "t1" });
    expect(again.status).toBe(200);
    expect(nodes.size).toBe(3);
    const none = await call("POST", "/clusters/nope/node-groups", base());
    expect(none.status).toBe(404);
    expect(none.json.message).toBe("No cluster found for name: nope.");
  });

  it("is CREATE_FAILED with a health issue when capacity runs out or nodes cannot register", async () => {
    await provider.setOfferingAvailability("ng", { instanceType: "m5.large" }, false);
    await call("POST", "/clusters/ng/node-groups", base());
    const d = (await call("GET", "/clusters/ng/node-groups/workers")).json.nodegroup;
    expect(d.status).toBe("CREATE_FAILED");
    expect(d.health.issues[0].code).toBe("AsgInstanceLaunchFailures");
    await provider.setOfferingAvailability("ng", { instanceType: "m5.large" }, true);
    failRegister = true;
    await call("POST", "/clusters/ng/node-groups", { ...base(), nodegroupName: "b" });
    const b = (await call("GET", "/clusters/ng/node-groups/b")).json.nodegroup;
    expect(b.status).toBe("CREATE_FAILED");
    expect(b.health.issues[0].code).toBe("NodeCreationFailure");
  });
});

describe("ListNodegroups, DescribeNodegroup, DeleteNodegroup", () => {
  it("lists by name with paging and 404s an unknown group", async () => {
    for (const n of ["c", "a", "b"])
      await call("POST", "/clusters/ng/node-groups", {
        ...base(),
        nodegroupName: n,
        scalingConfig: { minSize: 0, maxSize: 1, desiredSize: 0 },
      });
    expect((await call("GET", "/clusters/ng/node-groups")).json).toEqual({ nodegroups: ["a", "b", "c"] });
    const p1 = (await call("GET", "/clusters/ng/node-groups?maxResults=2")).json;
    expect(p1.nodegroups).toEqual(["a", "b"]);
    const p2 = (await call("GET", `/clusters/ng/node-groups?maxResults=2&nextToken=${p1.nextToken}`)).json;
    expect(p2).toEqual({ nodegroups: ["c"] });
    const missing = await call("GET", "/clusters/ng/node-groups/zz");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-amzn-ErrorType")).toBe("ResourceNotFoundException");
    expect(missing.json).toEqual({
      clusterName: "ng",
      nodegroupName: "zz",
      message: "No node group found for name: zz.",
    });
    expect((await call("DELETE", "/clusters/ng/node-groups/zz")).status).toBe(404);
  });

  it("deletes the nodes, terminates the instances and forgets the group", async () => {
    await call("POST", "/clusters/ng/node-groups", base());
    await call("POST", "/clusters/ng/node-groups", { ...base(), nodegroupName: "other", taints: [] });
    expect(nodes.size).toBe(6);
    const del = await call("DELETE", "/clusters/ng/node-groups/workers");
    expect(del.status).toBe(200);
    expect(del.json.nodegroup.status).toBe("DELETING");
    expect((await call("GET", "/clusters/ng/node-groups/workers")).status).toBe(404);
    expect(nodes.size).toBe(3);
    for (const n of nodes.values()) expect(n.labels["eks.amazonaws.com/nodegroup"]).toBe("other");
    const live = await provider.describe("ng", { states: ["running"] });
    expect(live.map((i) => i.tags["eks:nodegroup-name"])).toEqual(["other", "other", "other"]);
    expect(await provider.describe("ng", { states: ["terminated"] })).toHaveLength(3);
    expect((await call("GET", "/clusters/ng/node-groups")).json.nodegroups).toEqual(["other"]);
    // The cluster cannot go while a group remains.
    const refused = await call("DELETE", "/clusters/ng");
    expect(refused.status).toBe(409);
    expect(refused.headers.get("x-amzn-ErrorType")).toBe("ResourceInUseException");
    expect(refused.json.message).toBe("Cluster has nodegroups attached");
    expect((await call("GET", "/clusters/ng")).json.cluster.status).toBe("ACTIVE");
  });
});

describe("UpdateNodegroupConfig", () => {
  const update = (body: unknown, name = "workers") =>
    call("POST", `/clusters/ng/node-groups/${name}/update-config`, body);
  const describeUpdate = async (id: string) =>
    (await call("GET", `/clusters/ng/updates/${id}?nodegroupName=workers`)).json.update;
  const group = async () => (await call("GET", "/clusters/ng/node-groups/workers")).json.nodegroup;
  const running = async () =>
    (await provider.describe("ng", { states: ["running"] })).filter(
      (i) => i.tags["eks:nodegroup-name"] === "workers",
    );

  beforeEach(async () => {
    await call("POST", "/clusters/ng/node-groups", base());
  });

  it("scales out through the capacity provider and in through a drain, with ConfigUpdate records", async () => {
    const up = await update({ scalingConfig: { minSize: 1, maxSize: 6, desiredSize: 5 } });
    expect(up.status).toBe(200);
    expect(up.json.update).toMatchObject({
      type: "ConfigUpdate",
      status: "InProgress",
      params: [
        { type: "MinSize", value: "1" },
        { type: "MaxSize", value: "6" },
        { type: "DesiredSize", value: "5" },
      ],
      errors: [],
    });
    expect(await describeUpdate(up.json.update.id)).toMatchObject({ status: "Successful" });
    expect(await group()).toMatchObject({
      status: "ACTIVE",
      scalingConfig: { minSize: 1, maxSize: 6, desiredSize: 5 },
    });
    const five = await running();
    expect(five).toHaveLength(5);
    expect(nodes.size).toBe(5);
    // New nodes register as at create, balanced over the two zones (3 + 2).
    const zones = five.map((i) => i.zone);
    expect(zones.filter((z) => z === "us-east-1a")).toHaveLength(3);
    expect(zones.filter((z) => z === "us-east-1b")).toHaveLength(2);
    for (const n of nodes.values()) expect(n.labels["eks.amazonaws.com/nodegroup"]).toBe("workers");

    const down = await update({ scalingConfig: { desiredSize: 2 } });
    expect(down.json.update.params).toEqual([{ type: "DesiredSize", value: "2" }]);
    expect(await describeUpdate(down.json.update.id)).toMatchObject({ status: "Successful" });
    const two = await running();
    expect(two).toHaveLength(2);
    expect(new Set(two.map((i) => i.zone)).size).toBe(2);
    expect([...nodes.keys()].sort()).toEqual(two.map((i) => i.privateDnsName).sort());
    // The three victims were drained together before they went.
    expect(drained).toHaveLength(1);
    expect(drained[0]).toHaveLength(3);
    expect(drained[0].some((n) => nodes.has(n))).toBe(false);
    expect(await provider.describe("ng", { states: ["terminated"] })).toHaveLength(3);
    expect((await group()).scalingConfig).toEqual({ minSize: 1, maxSize: 6, desiredSize: 2 });

    // Node-group updates list under nodegroupName only; the cluster's own list does not show them.
    const ids = (await call("GET", "/clusters/ng/updates?nodegroupName=workers")).json.updateIds;
    expect(ids).toEqual([up.json.update.id, down.json.update.id]);
    expect((await call("GET", "/clusters/ng/updates")).json.updateIds).toEqual([]);
    expect((await call("GET", `/clusters/ng/updates/${down.json.update.id}`)).status).toBe(404);
    const other = await call("GET", "/clusters/ng/updates?nodegroupName=zz");
    expect(other.status).toBe(404);
    expect(other.json.message).toBe("No node group found for name: zz.");
  });

  it("applies label and taint changes to the existing and the new nodes and records them", async () => {
    const r = await update({
      labels: { addOrUpdateLabels: { team: "b", tier: "web" }, removeLabels: ["gone"] },
      taints: {
        addOrUpdateTaints: [{ key: "spot", value: "yes", effect: "PREFER_NO_SCHEDULE" }],
        removeTaints: [{ key: "dedicated", value: "gpu", effect: "NO_SCHEDULE" }],
      },
    });
    expect(r.json.update.params).toEqual([
      { type: "LabelsToAdd", value: '{"team":"b","tier":"web"}' },
      { type: "LabelsToRemove", value: '["gone"]' },
      { type: "TaintsToAdd", value: '[{"effect":"PREFER_NO_SCHEDULE","key":"spot","value":"yes"}]' },
      { type: "TaintsToRemove", value: '[{"effect":"NO_SCHEDULE","key":"dedicated","value":"gpu"}]' },
    ]);
    expect(await describeUpdate(r.json.update.id)).toMatchObject({ status: "Successful" });
    const g = await group();
    expect(g.labels).toEqual({ team: "b", tier: "web" });
    expect(g.taints).toEqual([{ key: "spot", value: "yes", effect: "PREFER_NO_SCHEDULE" }]);
    expect(nodes.size).toBe(3);
    for (const n of nodes.values()) {
      expect(n.labels).toMatchObject({ team: "b", tier: "web", "eks.amazonaws.com/nodegroup": "workers" });
      expect(n.taints).toEqual([{ key: "spot", value: "yes", effect: "PreferNoSchedule" }]);
    }
    await update({ labels: { removeLabels: ["tier"] }, scalingConfig: { desiredSize: 4 } });
    expect(nodes.size).toBe(4);
    for (const n of nodes.values()) {
      expect(n.labels.team).toBe("b");
      expect(n.labels.tier).toBeUndefined();
      expect(n.taints).toEqual([{ key: "spot", value: "yes", effect: "PreferNoSchedule" }]);
    }
    expect((await group()).labels).toEqual({ team: "b" });
  });

  it("refuses bad parameters with EKS's errors and a group that is not ACTIVE", async () => {
    const bad = async (body: unknown) => {
      const r = await update(body);
      expect(r.status).toBe(400);
      expect(r.headers.get("x-amzn-ErrorType")).toBe("InvalidParameterException");
      expect(r.json).toMatchObject({ clusterName: "ng", nodegroupName: "workers" });
      return r.json.message as string;
    };
    expect(await bad({ scalingConfig: { minSize: 4 } })).toBe(
      "Minimum capacity 4 can't be greater than desired size 3",
    );
    expect(await bad({ scalingConfig: { desiredSize: 6 } })).toBe(
      "Desired capacity 6 can't be greater than max size 5",
    );
    expect(await bad({ scalingConfig: { minSize: 3, maxSize: 2, desiredSize: 2 } })).toBe(
      "Minimum capacity 3 can't be greater than maximum capacity 2",
    );
    const labels = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    expect(await bad({ labels: { addOrUpdateLabels: labels } })).toBe(
      "Number of labels 51 exceeds the limit of 50.",
    );
    const taints = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, effect: "NO_EXECUTE" }));
    expect(await bad({ taints: { addOrUpdateTaints: taints } })).toBe(
      "Number of taints 51 exceeds the limit of 50.",
    );
    expect(await bad({ taints: { addOrUpdateTaints: [{ key: "a", effect: "NoSchedule" }] } })).toMatch(
      /^1 validation error detected: Value 'NoSchedule' at 'taints\.addOrUpdateTaints\.0\.effect' failed to satisfy constraint: Member must satisfy enum value set: \[NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE\]$/,
    );
    expect(await bad({})).toBe("No changes needed for the nodegroup config provided");
    const big = await update({ scalingConfig: { maxSize: 451 } });
    expect(big.headers.get("x-amzn-ErrorType")).toBe("ResourceLimitExceededException");
    expect((await update({ scalingConfig: { desiredSize: 1 } }, "zz")).status).toBe(404);
    // Nothing changed: no update recorded, the nodes as they were.
    expect((await call("GET", "/clusters/ng/updates?nodegroupName=workers")).json.updateIds).toEqual([]);
    expect(nodes.size).toBe(3);

    // A drain that never finishes keeps the group UPDATING: a second update (or a delete) is refused.
    let release!: () => void;
    configureNodegroups({
      rollouts: "inline",
      capacity: provider,
      nodes: {
        remove: async (_c, name) => {
          nodes.delete(name);
        },
        patch: async () => {},
        drain: () => new Promise<string[]>((r) => (release = () => r([]))),
      },
    });
    const pending = update({ scalingConfig: { desiredSize: 2 } });
    await new Promise((r) => setTimeout(r, 20));
    expect((await group()).status).toBe("UPDATING");
    const busy = await update({ scalingConfig: { desiredSize: 1 } });
    expect(busy.status).toBe(409);
    expect(busy.headers.get("x-amzn-ErrorType")).toBe("ResourceInUseException");
    expect(busy.json.message).toBe("Nodegroup workers is currently in UPDATING state and can't be updated.");
    expect((await call("DELETE", "/clusters/ng/node-groups/workers")).status).toBe(409);
    release();
    expect((await pending).json.update.status).toBe("InProgress");
    expect((await group()).status).toBe("ACTIVE");
    expect(nodes.size).toBe(2);
  });

  it("picks scale-in victims to keep the zones balanced, newest first", () => {
    const inst = (id: string, zone: string, t: number) =>
      ({ id, zone, launchTime: new Date(t).toISOString() }) as Parameters<typeof scaleInVictims>[0][number];
    const list = [
      inst("a1", "a", 1),
      inst("b1", "b", 2),
      inst("a2", "a", 3),
      inst("a3", "a", 4),
      inst("b2", "b", 5),
    ];
    expect(scaleInVictims(list, 1).map((i) => i.id)).toEqual(["a3"]);
    expect(scaleInVictims(list, 3).map((i) => i.id)).toEqual(["a3", "b2", "a2"]);
  });
});
