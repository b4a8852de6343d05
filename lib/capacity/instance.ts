import type { FargateSize } from "./pricing.ts";

// What a simulated instance is, shared by the provider, its stores and the cost functions.

/** EC2's two purchase options, and Fargate (one micro-VM per pod) as the third kind of capacity. */
export type CapacityType = "on-demand" | "spot" | "fargate";

/**
 * `running` from launch (simulated instances boot at once; node registration is the caller's to simulate);
 * `interrupted` after a spot interruption notice, until `terminatedTime` (notice + 2 min), when it is
 * `terminated` (terminate() makes it so at once).
 */
export type InstanceState = "running" | "interrupted" | "terminated";

/** The instance type recorded for Fargate capacity. */
export const FARGATE_INSTANCE_TYPE = "fargate";

export interface Instance {
  /** `i-` and 17 hex digits. */
  id: string;
  cluster: string;
  /** A catalog type, or `fargate`. */
  instanceType: string;
  capacityType: CapacityType;
  region: string;
  zone: string;
  zoneId?: string;
  /** In the zone's subnet, unique among the cluster's live instances. */
  privateIp: string;
  /** `ip-192-168-32-4.ec2.internal`; also the node name EKS gives the instance. */
  privateDnsName: string;
  /** ISO 8601, ms precision. */
  launchTime: string;
  /** When it stopped (or, while `interrupted`, will stop) being billed. */
  terminatedTime?: string;
  /** When a spot interruption notice was given. */
  interruptionTime?: string;
  /** The state at the time of reading (an interrupted instance past its terminatedTime reads `terminated`). */
  state: InstanceState;
  /** $/h, fixed at launch (the offering's price then). */
  hourlyPrice: number;
  tags: Record<string, string>;
  /** The provisioned size, for Fargate capacity. */
  fargate?: FargateSize;
}

/** An offering (or, with fields left out, every offering that matches the rest). */
export interface OfferingSelector {
  instanceType?: string;
  zone?: string;
  capacityType?: CapacityType;
}

export function matchesOffering(
  s: OfferingSelector,
  o: { instanceType: string; zone: string; capacityType: CapacityType },
): boolean {
  return (
    (s.instanceType === undefined || s.instanceType === o.instanceType) &&
    (s.zone === undefined || s.zone === o.zone) &&
    (s.capacityType === undefined || s.capacityType === o.capacityType)
  );
}

/** The state as of `now`: an interrupted instance whose notice has run out is terminated. */
export function stateAt(i: Instance, now: number): InstanceState {
  if (i.state === "interrupted" && i.terminatedTime && Date.parse(i.terminatedTime) <= now)
    return "terminated";
  return i.state;
}

/** Running or interrupted (still billed and still a node) at `now`. */
export function isLive(i: Instance, now: number): boolean {
  return stateAt(i, now) !== "terminated";
}

/** The Kubernetes `spec.providerID` of the instance's node: `aws:///us-east-1a/i-0123…`. */
export function providerIdOf(i: Pick<Instance, "zone" | "id">): string {
  return `aws:///${i.zone}/${i.id}`;
}
