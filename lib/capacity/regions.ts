// The regions Kumulus simulates capacity in: their availability zones and how their prices relate to
// us-east-1's, the one region the catalog has prices for.
//
// Zones. A static table of the common commercial and GovCloud regions, with the zones AWS offers new accounts
// (us-east-1a–f, us-west-2a–d, eu-west-1a–c, ...). Zone ids (`use1-az1`) are listed in zone order; on AWS
// the name → id mapping is shuffled per account in older regions, so they are only stable names for labels
// (`topology.k8s.aws/zone-id`). A well-formed region that is not in the table gets zones a, b and c.
//
// Prices. `priceMultiplier(region)` scales a us-east-1 price to the region. The table holds rounded ratios of
// Linux on-demand list prices of a general-purpose type (m5.large) in each region to us-east-1's; they are a
// simulation rule, not AWS data, and every type in a region scales by the same factor. An unlisted region
// costs 1.25 × us-east-1. Spot and Fargate prices scale by the same factor (see pricing.ts).

export interface RegionInfo {
  /** The region's zones, in name order. */
  zones: readonly string[];
  /** Zone ids, one per zone, in the same order. */
  zoneIds: readonly string[];
  /** Price relative to us-east-1. */
  priceMultiplier: number;
}

/** The region Kumulus runs in when nothing says otherwise, and the one the catalog's prices are for. */
export const DEFAULT_REGION = "us-east-1";

/** Multiplier of a region that is not in the table. */
export const UNLISTED_REGION_MULTIPLIER = 1.25;

/** region → [zone letters, zone-id prefix, price multiplier] */
const TABLE: Record<string, [letters: string, idPrefix: string, multiplier: number]> = {
  "us-east-1": ["abcdef", "use1", 1],
  "us-east-2": ["abc", "use2", 1],
  "us-west-1": ["ac", "usw1", 1.167],
  "us-west-2": ["abcd", "usw2", 1],
  "ca-central-1": ["abd", "cac1", 1.115],
  "ca-west-1": ["abc", "caw1", 1.115],
  "sa-east-1": ["abc", "sae1", 1.594],
  "eu-west-1": ["abc", "euw1", 1.115],
  "eu-west-2": ["abc", "euw2", 1.156],
  "eu-west-3": ["abc", "euw3", 1.167],
  "eu-central-1": ["abc", "euc1", 1.198],
  "eu-central-2": ["abc", "euc2", 1.318],
  "eu-north-1": ["abc", "eun1", 1.063],
  "eu-south-1": ["abc", "eus1", 1.167],
  "eu-south-2": ["abc", "eus2", 1.115],
  "il-central-1": ["abc", "ilc1", 1.229],
  "me-south-1": ["abc", "mes1", 1.229],
  "me-central-1": ["abc", "mec1", 1.229],
  "af-south-1": ["abc", "afs1", 1.323],
  "ap-south-1": ["abc", "aps1", 1.052],
  "ap-south-2": ["abc", "aps2", 1.052],
  "ap-east-1": ["abc", "ape1", 1.375],
  "ap-southeast-1": ["abc", "apse1", 1.25],
  "ap-southeast-2": ["abc", "apse2", 1.25],
  "ap-southeast-3": ["abc", "apse3", 1.25],
  "ap-southeast-4": ["abc", "apse4", 1.318],
  "ap-northeast-1": ["acd", "apne1", 1.292],
  "ap-northeast-2": ["abcd", "apne2", 1.229],
  "ap-northeast-3": ["abc", "apne3", 1.292],
  "us-gov-west-1": ["abc", "usgw1", 1.26],
  "us-gov-east-1": ["abc", "usge1", 1.26],
};

const REGION_RE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

/** Whether `region` looks like an AWS region name (listed or not). */
export function isRegionName(region: string): boolean {
  return REGION_RE.test(region);
}

/** The regions of the static table. */
export function listedRegions(): string[] {
  return Object.keys(TABLE);
}

/** Zones, zone ids and price multiplier of a region; throws for a name that is not a region. */
export function regionInfo(region: string): RegionInfo {
  const row = TABLE[region];
  if (!row && !isRegionName(region)) throw new Error(`${JSON.stringify(region)} is not a region name`);
  const [letters, idPrefix, priceMultiplier] = row ?? [
    "abc",
    regionIdPrefix(region),
    UNLISTED_REGION_MULTIPLIER,
  ];
  const zones = [...letters].map((l) => `${region}${l}`);
  // Zone ids number the zones 1..n in order (us-west-1c is usw1-az3: ids follow the letter, not the index).
  const zoneIds = [...letters].map((l) => `${idPrefix}-az${l.charCodeAt(0) - 96}`);
  return { zones, zoneIds, priceMultiplier };
}

/** `eu-west-1` → `euw1`: the shape of zone-id prefixes, for regions outside the table. */
function regionIdPrefix(region: string): string {
  const parts = region.split("-");
  const num = parts.pop()!;
  const [geo, ...rest] = parts;
  return `${geo}${rest.map((p) => p[0]).join("")}${num}`;
}

/** The zones of a region. */
export function zonesOf(region: string): string[] {
  return [...regionInfo(region).zones];
}

/** The zone id of a zone (`us-east-1a` → `use1-az1`), or undefined if the zone is not one of its region's. */
export function zoneIdOf(zone: string): string | undefined {
  const region = regionOfZone(zone);
  if (!region) return undefined;
  const info = regionInfo(region);
  const i = info.zones.indexOf(zone);
  return i < 0 ? undefined : info.zoneIds[i];
}

/** The region of a zone name (`us-east-1a` → `us-east-1`), or undefined if it is not shaped like one. */
export function regionOfZone(zone: string): string | undefined {
  const region = zone.slice(0, -1);
  return /[a-z]$/.test(zone) && isRegionName(region) ? region : undefined;
}

/** Index of a zone among its region's zones (-1 if it is not one of them). */
export function zoneIndex(zone: string): number {
  const region = regionOfZone(zone);
  return region ? regionInfo(region).zones.indexOf(zone) : -1;
}

/** The factor that turns a us-east-1 price into this region's (see the rule above). */
export function priceMultiplier(region: string): number {
  return regionInfo(region).priceMultiplier;
}

/** The DNS suffix of private names: `ec2.internal` in us-east-1, `<region>.compute.internal` elsewhere. */
export function privateDnsSuffix(region: string): string {
  return region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
}
