import { type InstanceType, requireInstanceType } from "./catalog.ts";
import { DEFAULT_REGION, priceMultiplier, regionOfZone } from "./regions.ts";

// Simulated prices, deterministic so that tests and cost comparisons repeat exactly.
//
// On-demand: the catalog's us-east-1 Linux price × the region's multiplier (regions.ts), rounded to 1e-5 $.
//
// Spot (AWS publishes no static spot prices, and Karpenter's own fallback is spot = on-demand): the regional
// on-demand price × (1 − discount), rounded to 1e-5 $, where the discount depends on the family and the zone
// only: discount = 0.55 + 0.25 × u, u ∈ [0, 1) the FNV-1a 32-bit hash of "<family>|<zone>" divided by 2^32.
// So spot is always 55–80 % cheaper than on-demand, every size of a family has the same discount in a zone,
// and the same family differs between zones (which is what makes zone and family choice matter). With a day
// index (days since the Unix epoch, UTC), the discount drifts by up to ±4 points a day — u' from the hash of
// "<family>|<zone>|<day>" adds 0.08 × (u' − 0.5) — and is clamped to [0.55, 0.80]. An instance's price is fixed
// when it launches (see provider.ts), so drift only changes what new launches cost.
//
// Fargate: EKS on Fargate's Linux/x86 rates in us-east-1 (per vCPU-hour and per GB-hour of the provisioned
// size, plus storage beyond the 20 GB included), times the same regional multiplier.

/** The capacity types of EC2 instances (Fargate is the third kind of capacity; see provider.ts). */
export type Ec2CapacityType = "on-demand" | "spot";

export const SPOT_MIN_DISCOUNT = 0.55;
export const SPOT_MAX_DISCOUNT = 0.8;
/** Largest day-to-day drift of the discount, in either direction. */
export const SPOT_DAILY_DRIFT = 0.04;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** FNV-1a, 32 bits: a stable hash that needs no crypto and is the same in every runtime. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const unit = (s: string) => fnv1a32(s) / 2 ** 32;

/** Days since the Unix epoch (UTC) of a time in ms: the `day` of the spot rule. */
export function dayIndex(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

const typeOf = (t: string | InstanceType) => (typeof t === "string" ? requireInstanceType(t) : t);

/** Linux on-demand $/h of a type in a region. */
export function onDemandPrice(type: string | InstanceType, region: string = DEFAULT_REGION): number {
  return round(typeOf(type).onDemandUSDPerHour * priceMultiplier(region), 5);
}

/** The spot discount (fraction of on-demand saved) of a family in a zone, on a day if given. */
export function spotDiscount(family: string, zone: string, day?: number): number {
  const base = SPOT_MIN_DISCOUNT + (SPOT_MAX_DISCOUNT - SPOT_MIN_DISCOUNT) * unit(`${family}|${zone}`);
  if (day === undefined) return base;
  const drifted = base + 2 * SPOT_DAILY_DRIFT * (unit(`${family}|${zone}|${day}`) - 0.5);
  return Math.min(SPOT_MAX_DISCOUNT, Math.max(SPOT_MIN_DISCOUNT, drifted));
}

function zoneRegion(zone: string): string {
  const region = regionOfZone(zone);
  if (!region) throw new Error(`${JSON.stringify(zone)} is not a zone name`);
  return region;
}

/** Simulated spot $/h of a type in a zone (the zone names its region), on a day if given. */
export function spotPrice(type: string | InstanceType, zone: string, opts: { day?: number } = {}): number {
  const t = typeOf(type);
  const od = onDemandPrice(t, zoneRegion(zone));
  return Math.max(0.00001, round(od * (1 - spotDiscount(t.family, zone, opts.day)), 5));
}

/** The $/h of one offering: a type, a capacity type and a zone. */
export function offeringPrice(
  type: string | InstanceType,
  capacityType: Ec2CapacityType,
  zone: string,
  opts: { day?: number } = {},
): number {
  return capacityType === "spot" ? spotPrice(type, zone, opts) : onDemandPrice(type, zoneRegion(zone));
}

/** EKS on Fargate, Linux/x86, us-east-1: AWS's list rates as quoted by third parties (README.md). */
export const FARGATE_US_EAST_1 = {
  perVcpuHour: 0.04048,
  perGBHour: 0.004445,
  /** Ephemeral storage beyond the included amount, per GB-hour. */
  perStorageGBHour: 0.000111,
  includedStorageGB: 20,
} as const;

/** A Fargate pod's provisioned size (the `CapacityProvisioned` annotation: `0.25vCPU 0.5GB`). */
export interface FargateSize {
  vcpu: number;
  memoryGB: number;
  /** Ephemeral storage; 20 GB is included. */
  storageGB?: number;
}

/** $/h of a Fargate pod of this provisioned size in a region. */
export function fargatePrice(size: FargateSize, region: string = DEFAULT_REGION): number {
  const r = FARGATE_US_EAST_1;
  const extraStorage = Math.max(0, (size.storageGB ?? r.includedStorageGB) - r.includedStorageGB);
  const usEast1 = size.vcpu * r.perVcpuHour + size.memoryGB * r.perGBHour + extraStorage * r.perStorageGBHour;
  return round(usEast1 * priceMultiplier(region), 7);
}
