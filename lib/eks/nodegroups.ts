import { createHash } from "node:crypto";
import { allocatableOf, capacityOf, instanceType } from "../capacity/catalog.ts";
import { type Instance, providerIdOf } from "../capacity/instance.ts";
import { instanceNodeLabels, priceAnnotations } from "../capacity/labels.ts";
import { isInsufficientCapacity } from "../capacity/provider.ts";
import { zonesOf } from "../capacity/regions.ts";
import { log } from "../log.ts";
import { EksError, type EksErrorMembers } from "./errors.ts";
import { partitionOf } from "./ids.ts";
import type { NodeChange } from "./node-drain.ts";
import { capacity, drainTimeoutMs, type NodeRegistrationData, registrar } from "./node-host.ts";
import type { ClusterDoc, EksContext, NodegroupDoc } from "./repo.ts";

export { configureNodegroups, type NodeRegistrationData } from "./node-host.ts";

import { seconds } from "./shapes.ts";
import { findVersion } from "./versions.ts";

// Managed node groups: each group is one (simulated) Auto Scaling group whose instances come from the
// capacity provider (lib/capacity) and whose nodes register through the simulated kubelet, as system:node:<name>,
// with the labels and taints EKS gives managed nodes (eks-nodegroups.md). The group itself is a record in the
// cluster document (`nodegroups`); its instances are found again by their `aws:autoscaling:groupName` tag.

export const MAX_NODEGROUPS = 30;
export const MAX_NODES = 450;
export const MAX_LABELS = 50;
export const MAX_TAINTS = 50;

export const TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] as const;
export const KUBE_EFFECT: Record<string, string> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
};

export const AMI_TYPES = [
  "AL2_x86_64",
  "AL2_x86_64_GPU",
  "AL2_ARM_64",
  "CUSTOM",
  "BOTTLEROCKET_ARM_64",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64_FIPS",
  "BOTTLEROCKET_x86_64_FIPS",
  "BOTTLEROCKET_ARM_64_NVIDIA",
  "BOTTLEROCKET_x86_64_NVIDIA",
  "BOTTLEROCKET_ARM_64_NVIDIA_FIPS",
  "BOTTLEROCKET_x86_64_NVIDIA_FIPS",
  "WINDOWS_CORE_2019_x86_64",
  "WINDOWS_FULL_2019_x86_64",
  "WINDOWS_CORE_2022_x86_64",
  "WINDOWS_FULL_2022_x86_64",
  "WINDOWS_CORE_2025_x86_64",
  "WINDOWS_FULL_2025_x86_64",
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_STANDARD",
  "AL2023_x86_64_NEURON",
  "AL2023_x86_64_NVIDIA",
  "AL2023_ARM_64_NVIDIA",
] as const;

export const DEFAULT_AMI_TYPE = "AL2023_x86_64_STANDARD";
export const DEFAULT_INSTANCE_TYPE = "t3.medium";
/** The date part of the simulated AMI release versions. */
const AMI_RELEASE_DATE = "20261202";

export function nodegroupArn(ctx: EksContext, cluster: string, name: string, uuid: string): string {
  return `arn:${partitionOf(ctx.region)}:eks:${ctx.region}:${ctx.account}:nodegroup/${cluster}/${name}/${uuid}`;
}

/**
 * The instance tag recording the AMI release an instance was launched with (the launch template version, on
 * EKS): a rollout tells the group's old instances from its replacements by it.
 */
export const RELEASE_TAG = "kumulus:release-version";

/** The release an instance runs; instances launched before the tag existed run the group's current one. */
export const releaseOfInstance = (i: Instance, ng: Pick<NodegroupDoc, "releaseVersion">): string =>
  i.tags[RELEASE_TAG] ?? ng.releaseVersion;

export const asgNameOf = (ng: Pick<NodegroupDoc, "nodegroupName" | "uuid">): string =>
  `eks-${ng.nodegroupName}-${ng.uuid}`;

/** `1.32.14-20261202`: the cluster version's patch release and the simulated AMI date. */
export function releaseVersionOf(version: string): string {
  return `${findVersion(version)?.kubernetesPatchVersion ?? `${version}.0`}-${AMI_RELEASE_DATE}`;
}

/** A stable simulated AMI id for the AMI type, release and region (the `nodegroup-image` label). */
export function amiIdOf(amiType: string, releaseVersion: string, region: string): string {
  const h = createHash("sha256").update(`${amiType}|${releaseVersion}|${region}`).digest("hex");
  return `ami-${h.slice(0, 17)}`;
}

export const isArmAmi = (amiType: string): boolean => amiType.includes("ARM_64");
export const isWindowsAmi = (amiType: string): boolean => amiType.startsWith("WINDOWS_");

export function nodegroupNotFound(cluster: string, name: string): EksError {
  return new EksError("ResourceNotFoundException", `No node group found for name: ${name}.`, {
    clusterName: cluster,
    nodegroupName: name,
  });
}

export function nodegroupOf(doc: ClusterDoc, name: string): NodegroupDoc {
  const ng = doc.nodegroups?.[name];
  if (!ng) throw nodegroupNotFound(doc.name, name);
  return ng;
}

export function invalidNodegroup(message: string, members: EksErrorMembers): EksError {
  return new EksError("InvalidParameterException", message, members);
}

/** The zone of each subnet: the cluster's i-th subnet is the region's i-th zone; any other by its hash. */
export function subnetZones(doc: ClusterDoc, region: string, subnets: readonly string[]): string[] {
  const zones = zonesOf(region);
  const own = doc.resourcesVpcConfig.subnetIds;
  const out = subnets.map((s) => {
    const i = own.indexOf(s);
    if (i >= 0) return zones[i % zones.length];
    const h = createHash("sha256").update(s).digest().readUInt32BE(0);
    return zones[h % zones.length];
  });
  return [...new Set(out)];
}

/** The JSON DescribeNodegroup returns. */
export function nodegroupOut(cluster: string, ng: NodegroupDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    nodegroupName: ng.nodegroupName,
    nodegroupArn: ng.arn,
    clusterName: cluster,
    version: ng.version,
    releaseVersion: ng.releaseVersion,
    createdAt: seconds(ng.createdAt),
    modifiedAt: seconds(ng.modifiedAt),
    status: ng.status,
    capacityType: ng.capacityType,
    scalingConfig: { ...ng.scalingConfig },
    instanceTypes: [...ng.instanceTypes],
    subnets: [...ng.subnets],
    amiType: ng.amiType,
    nodeRole: ng.nodeRole,
    labels: { ...ng.labels },
    taints: ng.taints.map((t) => ({ ...t })),
    resources: { autoScalingGroups: [{ name: asgNameOf(ng) }] },
    diskSize: ng.diskSize,
    health: { issues: structuredClone(ng.healthIssues ?? []) },
    updateConfig: { ...ng.updateConfig },
    tags: { ...ng.tags },
  };
  if (ng.remoteAccess) out.remoteAccess = structuredClone(ng.remoteAccess);
  return out;
}

/** The node a managed node group's instance registers as. */
export function nodeFor(
  _cluster: ClusterDoc,
  ng: NodegroupDoc,
  i: Instance,
  region: string,
): NodeRegistrationData {
  const t = instanceType(i.instanceType);
  if (!t) throw new Error(`instance ${i.id} has an unknown type ${i.instanceType}`);
  const typeLabels = Object.fromEntries(
    Object.entries(instanceNodeLabels(i)).filter(([k]) => !k.startsWith("karpenter.")),
  );
  return {
    name: i.privateDnsName,
    labels: {
      ...typeLabels,
      "eks.amazonaws.com/nodegroup": ng.nodegroupName,
      "eks.amazonaws.com/nodegroup-image": amiIdOf(ng.amiType, ng.releaseVersion, region),
      "eks.amazonaws.com/capacityType": i.capacityType === "spot" ? "SPOT" : "ON_DEMAND",
      "eks.amazonaws.com/sourceLaunchTemplateVersion": "1",
      ...ng.labels,
    },
    taints: ng.taints.map((x) => ({
      key: x.key,
      ...(x.value ? { value: x.value } : {}),
      effect: KUBE_EFFECT[x.effect] ?? x.effect,
    })),
    // What the instance costs, on the node where `kubectl get nodes -o custom-columns` can show it.
    annotations: priceAnnotations(i),
    providerID: providerIdOf(i),
    capacity: capacityOf(t),
    allocatable: allocatableOf(t),
    internalIP: i.privateIp,
    arch: t.arch,
    // The node's own version (the group's), which an UpdateNodegroupVersion rollout moves forward.
    kubeletVersion: `v${findVersion(ng.version)?.kubernetesPatchVersion ?? `${ng.version}.0`}-eks-kumulus`,
    osImage: ng.amiType.startsWith("AL2023")
      ? "Amazon Linux 2023 (Kumulus simulated)"
      : `${ng.amiType} (Kumulus simulated)`,
  };
}

export interface LaunchOutcome {
  launched: Instance[];
  /** Set when fewer than desiredSize instances could be launched or registered. */
  issue?: { code: string; message: string; resourceIds: string[] };
}

/**
 * Launches `count` instances (by default the group's desiredSize) and registers a node for each. They are
 * spread over the group's zones as an Auto Scaling group balances them: each new instance prefers the zone
 * with the fewest of the group's instances (`existing` and those launched so far; ties in zone order, so a
 * new group's k-th instance goes to the k-th zone), and falls back to the others.
 */
export async function launchNodes(
  ctx: EksContext,
  cluster: ClusterDoc,
  ng: NodegroupDoc,
  count = ng.scalingConfig.desiredSize,
  existing: readonly Instance[] = [],
): Promise<LaunchOutcome> {
  const provider = capacity(ctx);
  const zones = subnetZones(cluster, ctx.region, ng.subnets);
  const launched: Instance[] = [];
  const perZone = new Map(zones.map((z) => [z, 0]));
  for (const i of existing) if (perZone.has(i.zone)) perZone.set(i.zone, perZone.get(i.zone)! + 1);
  const asg = asgNameOf(ng);
  const tags = {
    ...ng.tags,
    "eks:cluster-name": cluster.name,
    "eks:nodegroup-name": ng.nodegroupName,
    "aws:autoscaling:groupName": asg,
    "k8s.io/cluster-autoscaler/enabled": "true",
    [`k8s.io/cluster-autoscaler/${cluster.name}`]: "owned",
    [RELEASE_TAG]: ng.releaseVersion,
  };
  const spot = ng.capacityType === "SPOT";
  let issue: LaunchOutcome["issue"];
  for (let k = 0; k < count; k++) {
    const preferred = zones.reduce((a, b) => (perZone.get(b)! < perZone.get(a)! ? b : a));
    const order = [preferred, ...zones.filter((z) => z !== preferred)];
    const req = {
      cluster: cluster.name,
      instanceTypes: ng.instanceTypes,
      capacityType: spot ? ("spot" as const) : ("on-demand" as const),
      allocationStrategy: spot ? ("price-capacity-optimized" as const) : ("prioritized" as const),
      count: 1,
      tags,
    };
    let got = await provider.launch({ ...req, zones: [preferred] });
    if (isInsufficientCapacity(got) && order.length > 1)
      got = await provider.launch({ ...req, zones: order });
    if (isInsufficientCapacity(got)) {
      issue = { code: "AsgInstanceLaunchFailures", message: got.message, resourceIds: [asg] };
      break;
    }
    launched.push(...got);
    for (const i of got) perZone.set(i.zone, (perZone.get(i.zone) ?? 0) + 1);
  }
  const nodes = registrar();
  for (const i of launched) {
    try {
      await nodes.register(cluster.name, nodeFor(cluster, ng, i, ctx.region));
    } catch (e) {
      log("error", "node group node registration failed", {
        cluster: cluster.name,
        node: i.privateDnsName,
        error: String(e),
      });
      issue ??= {
        code: "NodeCreationFailure",
        message: `Instances failed to join the kubernetes cluster: ${(e as Error).message}`,
        resourceIds: [i.id],
      };
    }
  }
  return { launched, ...(issue ? { issue } : {}) };
}

/** The group's live instances (running or interrupted), oldest first. */
export async function groupInstances(
  ctx: EksContext,
  cluster: string,
  ng: NodegroupDoc,
): Promise<Instance[]> {
  return capacity(ctx).describe(cluster, {
    tags: { "aws:autoscaling:groupName": asgNameOf(ng) },
    states: ["running", "interrupted"],
  });
}

/** Deletes the group's Node objects and terminates its instances. */
export async function removeNodes(ctx: EksContext, cluster: string, ng: NodegroupDoc): Promise<number> {
  const instances = await groupInstances(ctx, cluster, ng);
  await removeInstances(ctx, cluster, instances);
  return instances.length;
}

/** Deletes these instances' Node objects and terminates them. */
export async function removeInstances(
  ctx: EksContext,
  cluster: string,
  instances: readonly Instance[],
): Promise<void> {
  const nodes = registrar();
  for (const i of instances) await nodes.remove(cluster, i.privateDnsName);
  if (instances.length)
    await capacity(ctx).terminate(
      cluster,
      instances.map((i) => i.id),
    );
}

/**
 * The instances a scale-in by `count` terminates, as an Auto Scaling group's default termination policy picks
 * them: each from the zone that has the most instances left (keeping the zones balanced; ties in zone order
 * reversed), and within it the newest instance (the simulation has one launch template version, so the
 * policy's "oldest launch template" step never separates them; newest-first keeps the longest-running nodes).
 */
export function scaleInVictims(instances: readonly Instance[], count: number): Instance[] {
  const left = [...instances];
  const out: Instance[] = [];
  while (out.length < count && left.length) {
    const perZone = new Map<string, number>();
    for (const i of left) perZone.set(i.zone, (perZone.get(i.zone) ?? 0) + 1);
    const zone = [...perZone].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0]))[0][0];
    const inZone = left.filter((i) => i.zone === zone);
    const newest = inZone.reduce((a, b) => (b.launchTime >= a.launchTime ? b : a));
    out.push(newest);
    left.splice(left.indexOf(newest), 1);
  }
  return out;
}

/** Drains the nodes of these instances (PDBs respected, bounded by drainTimeoutMs); returns the undrained. */
export async function drainInstances(cluster: string, instances: readonly Instance[]): Promise<string[]> {
  if (!instances.length) return [];
  return registrar().drain(
    cluster,
    instances.map((i) => i.privateDnsName),
    drainTimeoutMs(),
  );
}

/** Applies a label/taint change to each instance's node. */
export async function patchInstances(
  cluster: string,
  instances: readonly Instance[],
  change: NodeChange,
): Promise<void> {
  const nodes = registrar();
  for (const i of instances) await nodes.patch(cluster, i.privateDnsName, change);
}

/** Terminates every instance the cluster still has and forgets its capacity records (DeleteCluster). */
export async function releaseCapacity(ctx: EksContext, cluster: string): Promise<number> {
  const provider = capacity(ctx);
  const live = await provider.describe(cluster, { states: ["running", "interrupted"] });
  if (live.length)
    await provider.terminate(
      cluster,
      live.map((i) => i.id),
    );
  await provider.purge(cluster);
  return live.length;
}
