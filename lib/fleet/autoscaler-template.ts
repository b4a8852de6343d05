import type { KubeObject } from "../api/types.ts";
import type { Instance } from "../capacity/instance.ts";
import { onDemandPrice, spotPrice } from "../capacity/pricing.ts";
import { asgNameOf, nodeFor, subnetZones } from "../eks/nodegroups.ts";
import type { ClusterDoc, NodegroupDoc } from "../eks/repo.ts";

// The node a group would add, as CA builds it from the ASG's launch template when it simulates a scale-up:
// the group's first instance type (its allocatable from the catalog), the labels and taints a real node of
// the group registers with (nodeFor, so they cannot drift apart) and one of the group's zones.

/** The group's zones: the k-th template node goes to the k-th, as the group's k-th new instance would. */
export function groupZones(cluster: ClusterDoc, ng: NodegroupDoc, region: string): string[] {
  return subnetZones(cluster, region, ng.subnets);
}

/** What one node of the group costs per hour: its first type, on demand or spot in its first zone. */
export function groupPrice(ng: NodegroupDoc, zones: readonly string[], region: string): number {
  const type = ng.instanceTypes[0];
  return ng.capacityType === "SPOT" && zones[0] ? spotPrice(type, zones[0]) : onDemandPrice(type, region);
}

/** A Node object for the k-th simulated node of the group (named so it cannot clash with a real one). */
export function templateNode(
  cluster: ClusterDoc,
  ng: NodegroupDoc,
  region: string,
  zones: readonly string[],
  k: number,
  tag = "template",
): KubeObject {
  const name = `${tag}-node-for-${asgNameOf(ng)}-${k}`;
  const fake: Instance = {
    id: "i-00000000000000000",
    cluster: cluster.name,
    instanceType: ng.instanceTypes[0],
    capacityType: ng.capacityType === "SPOT" ? "spot" : "on-demand",
    region,
    zone: zones.length ? zones[k % zones.length] : `${region}a`,
    privateIp: "0.0.0.0",
    privateDnsName: name,
    launchTime: new Date(0).toISOString(),
    state: "running",
    hourlyPrice: 0,
    tags: {},
  };
  const n = nodeFor(cluster, ng, fake, region);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: n.labels },
    spec: n.taints.length ? { taints: n.taints } : {},
    status: { capacity: n.capacity, allocatable: n.allocatable },
  };
}
