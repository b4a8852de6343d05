import { randomBytes } from "node:crypto";
import { instanceType as catalogType } from "./catalog.ts";
import {
  type CapacityType,
  FARGATE_INSTANCE_TYPE,
  type Instance,
  type InstanceState,
  matchesOffering,
  type OfferingSelector,
  stateAt,
} from "./instance.ts";
import { defaultSubnetCidr, nthAddress, parseCidr, privateDnsName, usableAddresses } from "./network.ts";
import { dayIndex, type Ec2CapacityType, type FargateSize, fargatePrice, offeringPrice } from "./pricing.ts";
import { DEFAULT_REGION, regionInfo, regionOfZone, zoneIdOf, zoneIndex } from "./regions.ts";
import { type CapacityStore, MemoryCapacityStore } from "./store.ts";

// The one capacity provider: node groups, Fargate and Karpenter all get their simulated instances here.
//
// Launching. A request names the instance types (in preference order), one capacity type and the zones it
// may use. Every (type, zone) pair is an offering; the ones made unavailable with the knob
// (setOfferingAvailability) are skipped, and the request is filled from the first offering left in the
// order of its allocation strategy:
// - `prioritized` (EKS managed node groups, on-demand): the types in the order given, then the zones in order;
// - `lowest-price` (EC2 Fleet's on-demand default, and Karpenter's on-demand strategy): cheapest first;
// - `price-capacity-optimized` (Karpenter's and EKS's spot strategy): the cheapest of the pools with the
//   most spare capacity; this simulation has no pool depths, so it is cheapest first as well;
// - `capacity-optimized` (node groups on Kubernetes < 1.28): no pool depths either, so the order given.
// Ties are broken by the order of the types, then of the zones. The defaults are lowest-price for on-demand
// and Fargate, price-capacity-optimized for spot. When no offering is left, launch returns
// InsufficientInstanceCapacity (it does not throw: falling back is the caller's normal path). Every instance
// of one request goes to the same offering. If the zone's subnet runs out of addresses part-way, launch
// returns the instances it could start (InsufficientFreeAddressesInSubnet if none).
//
// Fargate capacity is launched the same way with `capacityType: "fargate"` and the pod's provisioned size; its
// offerings are the zones (instance type `fargate`).
//
// Interrupting. interrupt() gives a running spot instance EC2's two-minute notice: it is `interrupted` from
// then on and terminated (no longer billed, no longer live) two minutes later. terminate() ends an instance
// at once and frees its address.

const INTERRUPTION_NOTICE_MS = 120_000;
/** Addresses tried for one instance before the subnet counts as full. */
const ADDRESS_ATTEMPTS = 64;

export type AllocationStrategy =
  | "prioritized"
  | "lowest-price"
  | "price-capacity-optimized"
  | "capacity-optimized";

interface LaunchCommon {
  cluster: string;
  /** The zones the instances may go to (each one of the provider's region), in preference order. */
  zones: readonly string[];
  /** Instances to launch, all in one offering (default 1). */
  count?: number;
  /** Added to the tags every instance gets (`eks:eks-cluster-name`, `kubernetes.io/cluster/<name>`). */
  tags?: Record<string, string>;
  /** The subnet of each zone (default: 192.168.(32·i).0/19 for the region's i-th zone, as eksctl's VPC). */
  subnetCidrByZone?: Record<string, string>;
}

export interface Ec2LaunchRequest extends LaunchCommon {
  /** Catalog types, in preference order. */
  instanceTypes: readonly string[];
  capacityType: Ec2CapacityType;
  allocationStrategy?: AllocationStrategy;
}

export interface FargateLaunchRequest extends LaunchCommon {
  capacityType: "fargate";
  /** The pod's provisioned size (sizing a pod is the Fargate scheduler's job). */
  fargate: FargateSize;
}

export type LaunchRequest = Ec2LaunchRequest | FargateLaunchRequest;

export interface OfferingRef {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
}

/** Launch's answer when it could not launch (EC2's error codes). */
export interface InsufficientCapacity {
  code: "InsufficientInstanceCapacity" | "InsufficientFreeAddressesInSubnet";
  message: string;
  /** The offerings the request allowed, none of which could be used. */
  offerings: OfferingRef[];
}

export interface DescribeFilter {
  ids?: readonly string[];
  /** States as of now (default: every state, terminated instances included). */
  states?: readonly InstanceState[];
  instanceTypes?: readonly string[];
  capacityTypes?: readonly CapacityType[];
  zones?: readonly string[];
  /** Every tag given must be present with this value. */
  tags?: Record<string, string>;
}

export interface CapacityProvider {
  /** The region the provider launches in. */
  readonly region: string;
  /** Launches `count` instances in the first available offering, or says why it could not. */
  launch(req: LaunchRequest): Promise<Instance[] | InsufficientCapacity>;
  /** Ends these instances now and frees their addresses; already terminated ones are left as they are. */
  terminate(cluster: string, instanceIds: readonly string[]): Promise<Instance[]>;
  /** The cluster's instances (terminated ones too unless filtered), states as of now, oldest first. */
  describe(cluster: string, filter?: DescribeFilter): Promise<Instance[]>;
  /** The knob: a spot interruption notice; the instance is terminated two minutes later. */
  interrupt(cluster: string, instanceId: string): Promise<Instance>;
  /** The knob: makes offerings unavailable (insufficient capacity) or available again. */
  setOfferingAvailability(cluster: string, offering: OfferingSelector, available: boolean): Promise<void>;
  /** The offerings currently made unavailable. */
  unavailableOfferings(cluster: string): Promise<OfferingSelector[]>;
  /** Forgets everything about the cluster, its cost record included (DeleteCluster, once its instances are ended). */
  purge(cluster: string): Promise<void>;
}

/** An error in the request itself (EC2's codes); insufficient capacity is an answer, not an error. */
export class CapacityRequestError extends Error {
  constructor(
    readonly code: "InvalidParameterValue" | "InvalidInstanceID.NotFound" | "IncorrectInstanceState",
    message: string,
  ) {
    super(message);
    this.name = "CapacityRequestError";
  }
}

export function isInsufficientCapacity(r: Instance[] | InsufficientCapacity): r is InsufficientCapacity {
  return !Array.isArray(r);
}

export interface SimulatedProviderOptions {
  store?: CapacityStore;
  region?: string;
  /** Clock, ms since the epoch. */
  now?: () => number;
  /** Instance ids (default: `i-` and 17 random hex digits). */
  newInstanceId?: () => string;
  /** Spot prices drift by the day of launch (pricing.ts); off by default, so a spot offering has one price. */
  spotPriceDrift?: boolean;
}

export function randomInstanceId(): string {
  return `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

interface Candidate extends OfferingRef {
  price: number;
  typeIndex: number;
  zoneIndex: number;
}

/** The simulated provider, over a store (memory by default; dynamo-store.ts for DynamoDB). */
export class SimulatedCapacityProvider implements CapacityProvider {
  readonly region: string;
  private readonly store: CapacityStore;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly drift: boolean;

  constructor(opts: SimulatedProviderOptions = {}) {
    this.store = opts.store ?? new MemoryCapacityStore();
    this.region = opts.region ?? DEFAULT_REGION;
    this.now = opts.now ?? Date.now;
    this.newId = opts.newInstanceId ?? randomInstanceId;
    this.drift = opts.spotPriceDrift ?? false;
    regionInfo(this.region); // throws for a name that is not a region
  }

  async launch(req: LaunchRequest): Promise<Instance[] | InsufficientCapacity> {
    const count = req.count ?? 1;
    if (!req.cluster) throw new CapacityRequestError("InvalidParameterValue", "cluster is required");
    if (!Number.isInteger(count) || count < 1 || count > 1000)
      throw new CapacityRequestError("InvalidParameterValue", `count must be 1..1000, not ${count}`);
    if (!req.zones.length)
      throw new CapacityRequestError("InvalidParameterValue", "at least one zone is required");
    for (const zone of req.zones) {
      if (regionOfZone(zone) !== this.region || zoneIndex(zone) < 0)
        throw new CapacityRequestError(
          "InvalidParameterValue",
          `Invalid availability zone: [${zone}] (the region is ${this.region})`,
        );
    }
    for (const [zone, cidr] of Object.entries(req.subnetCidrByZone ?? {})) {
      try {
        parseCidr(cidr);
      } catch (e) {
        throw new CapacityRequestError("InvalidParameterValue", `subnet of ${zone}: ${(e as Error).message}`);
      }
    }
    const now = this.now();
    const candidates = this.candidates(req, now);
    const blocked = await this.store.unavailable(req.cluster);
    const open = candidates.filter((c) => !blocked.some((s) => matchesOffering(s, c)));
    const offerings = candidates.map(({ instanceType, zone, capacityType }) => ({
      instanceType,
      zone,
      capacityType,
    }));
    if (!open.length) return insufficient(req, offerings);
    const best = open.sort(order(strategyOf(req)))[0];

    const subnet = parseCidr(req.subnetCidrByZone?.[best.zone] ?? defaultSubnetCidr(best.zone));
    const launched: Instance[] = [];
    let next = await this.store.reserveAddresses(req.cluster, best.zone, count);
    let reserved = count;
    const time = new Date(now).toISOString();
    const zoneId = zoneIdOf(best.zone);
    const tags = {
      "eks:eks-cluster-name": req.cluster,
      [`kubernetes.io/cluster/${req.cluster}`]: "owned",
      ...req.tags,
    };
    for (let n = 0; n < count; n++) {
      let attempts = 0;
      let id = this.newId();
      for (;;) {
        if (reserved === 0) {
          next = await this.store.reserveAddresses(req.cluster, best.zone, 1);
          reserved = 1;
        }
        const ip = nthAddress(subnet, next++);
        reserved--;
        const instance: Instance = {
          id,
          cluster: req.cluster,
          instanceType: best.instanceType,
          capacityType: best.capacityType,
          region: this.region,
          zone: best.zone,
          ...(zoneId ? { zoneId } : {}),
          privateIp: ip,
          privateDnsName: privateDnsName(ip, this.region),
          launchTime: time,
          state: "running",
          hourlyPrice: best.price,
          tags: { ...tags },
          ...(req.capacityType === "fargate" ? { fargate: { ...req.fargate } } : {}),
        };
        const r = await this.store.insert(instance);
        if (r === "ok") {
          launched.push(instance);
          break;
        }
        if (r === "id-taken") id = this.newId();
        if (++attempts >= Math.min(ADDRESS_ATTEMPTS, usableAddresses(subnet))) {
          if (launched.length) return launched;
          return {
            code: "InsufficientFreeAddressesInSubnet",
            message: `There are not enough free addresses in the subnet of ${best.zone} to satisfy the requested number of instances.`,
            offerings,
          };
        }
      }
    }
    return launched;
  }

  /** Every offering the request allows, priced. */
  private candidates(req: LaunchRequest, now: number): Candidate[] {
    if (req.capacityType === "fargate") {
      const { vcpu, memoryGB } = req.fargate ?? {};
      if (!(vcpu > 0) || !(memoryGB > 0))
        throw new CapacityRequestError("InvalidParameterValue", "fargate needs a vcpu and memoryGB size");
      const price = fargatePrice(req.fargate, this.region);
      return req.zones.map((zone, zi) => ({
        instanceType: FARGATE_INSTANCE_TYPE,
        zone,
        capacityType: "fargate",
        price,
        typeIndex: 0,
        zoneIndex: zi,
      }));
    }
    if (req.capacityType !== "on-demand" && req.capacityType !== "spot")
      throw new CapacityRequestError("InvalidParameterValue", `unknown capacity type ${req.capacityType}`);
    if (!req.instanceTypes?.length)
      throw new CapacityRequestError("InvalidParameterValue", "at least one instance type is required");
    const day = this.drift ? dayIndex(now) : undefined;
    return req.instanceTypes.flatMap((name, ti) => {
      const t = catalogType(name);
      if (!t)
        throw new CapacityRequestError(
          "InvalidParameterValue",
          `Invalid value '${name}' for InstanceType: the instance type does not exist`,
        );
      return req.zones.map((zone, zi) => ({
        instanceType: name,
        zone,
        capacityType: req.capacityType,
        price: offeringPrice(t, req.capacityType, zone, { day }),
        typeIndex: ti,
        zoneIndex: zi,
      }));
    });
  }

  async terminate(cluster: string, instanceIds: readonly string[]): Promise<Instance[]> {
    const out: Instance[] = [];
    for (const id of instanceIds) {
      for (let attempt = 0; ; attempt++) {
        const i = await this.store.get(cluster, id);
        if (!i)
          throw new CapacityRequestError(
            "InvalidInstanceID.NotFound",
            `The instance ID '${id}' does not exist`,
          );
        if (i.state === "terminated") {
          out.push(i);
          break;
        }
        const now = this.now();
        // An interrupted instance keeps the end its notice gave it if that has passed.
        const end = i.terminatedTime && Date.parse(i.terminatedTime) <= now ? i.terminatedTime : iso(now);
        if (await this.store.markTerminated(cluster, id, i.state, end)) {
          out.push({ ...i, state: "terminated", terminatedTime: end });
          break;
        }
        if (attempt > 5) throw new Error(`instance ${id} keeps changing; terminate did not settle`);
      }
    }
    return out;
  }

  async describe(cluster: string, filter: DescribeFilter = {}): Promise<Instance[]> {
    const now = this.now();
    const all = (await this.store.list(cluster)).map((i) => ({ ...i, state: stateAt(i, now) }));
    const ids = filter.ids && new Set(filter.ids);
    return all
      .filter(
        (i) =>
          (!ids || ids.has(i.id)) &&
          (!filter.states || filter.states.includes(i.state)) &&
          (!filter.instanceTypes || filter.instanceTypes.includes(i.instanceType)) &&
          (!filter.capacityTypes || filter.capacityTypes.includes(i.capacityType)) &&
          (!filter.zones || filter.zones.includes(i.zone)) &&
          Object.entries(filter.tags ?? {}).every(([k, v]) => i.tags[k] === v),
      )
      .sort((a, b) => a.launchTime.localeCompare(b.launchTime) || a.id.localeCompare(b.id));
  }

  async interrupt(cluster: string, instanceId: string): Promise<Instance> {
    const i = await this.store.get(cluster, instanceId);
    if (!i)
      throw new CapacityRequestError(
        "InvalidInstanceID.NotFound",
        `The instance ID '${instanceId}' does not exist`,
      );
    const now = this.now();
    if (i.capacityType !== "spot" || stateAt(i, now) !== "running")
      throw new CapacityRequestError(
        "IncorrectInstanceState",
        `The instance '${instanceId}' is not a running spot instance (${i.capacityType}, ${stateAt(i, now)})`,
      );
    const notice = iso(now);
    const end = iso(now + INTERRUPTION_NOTICE_MS);
    if (!(await this.store.markInterrupted(cluster, instanceId, notice, end)))
      throw new CapacityRequestError(
        "IncorrectInstanceState",
        `The instance '${instanceId}' is no longer running`,
      );
    return { ...i, state: "interrupted", interruptionTime: notice, terminatedTime: end };
  }

  async setOfferingAvailability(
    cluster: string,
    offering: OfferingSelector,
    available: boolean,
  ): Promise<void> {
    await this.store.setUnavailable(cluster, offering, !available);
  }

  unavailableOfferings(cluster: string): Promise<OfferingSelector[]> {
    return this.store.unavailable(cluster);
  }

  purge(cluster: string): Promise<void> {
    return this.store.purge(cluster);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function strategyOf(req: LaunchRequest): AllocationStrategy {
  if (req.capacityType === "fargate") return "lowest-price";
  return (
    req.allocationStrategy ?? (req.capacityType === "spot" ? "price-capacity-optimized" : "lowest-price")
  );
}

function order(strategy: AllocationStrategy): (a: Candidate, b: Candidate) => number {
  const given = (a: Candidate, b: Candidate) => a.typeIndex - b.typeIndex || a.zoneIndex - b.zoneIndex;
  if (strategy === "prioritized" || strategy === "capacity-optimized") return given;
  return (a, b) => a.price - b.price || given(a, b);
}

function insufficient(req: LaunchRequest, offerings: OfferingRef[]): InsufficientCapacity {
  const first = offerings[0];
  const message =
    req.capacityType === "spot"
      ? `There is no Spot capacity available that matches your request (${describeOfferings(offerings)}).`
      : `We currently do not have sufficient ${first.instanceType} capacity in the Availability Zone you requested (${first.zone}). Our system will be working on provisioning additional capacity (${describeOfferings(offerings)}).`;
  return { code: "InsufficientInstanceCapacity", message, offerings };
}

function describeOfferings(offerings: OfferingRef[]): string {
  const types = [...new Set(offerings.map((o) => o.instanceType))];
  const zones = [...new Set(offerings.map((o) => o.zone))];
  return `tried ${types.join(", ")} in ${zones.join(", ")}`;
}
