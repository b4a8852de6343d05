import { createHash } from "node:crypto";
import type { ClusterConfigFile } from "./schema.ts";

// The cluster's zones and its one subnet per zone, as the EKS requests name them. Kumulus maps a cluster's
// i-th subnet to its region's i-th zone, so every node group is given subnets from this same list: the
// subnet of each of its zones. Ids come from the file when it has them (they only mean something on real
// AWS and are recorded as given), else they are generated the way eksctl's stack would name new ones.

export interface ClusterNetwork {
  zones: string[];
  subnetIds: string[];
}

const hex = (text: string, n: number) => createHash("sha256").update(text).digest("hex").slice(0, n);
export const generatedSubnetId = (cluster: string, zone: string) => `subnet-${hex(`${cluster}:${zone}`, 17)}`;

/** The zones eksctl would pick: the first three of the region's (eksctl picks three at random). */
export const defaultZones = (region: string, regionZones?: readonly string[]): string[] =>
  (regionZones?.length ? [...regionZones] : ["a", "b", "c"].map((l) => `${region}${l}`)).slice(0, 3);

interface SubnetRef {
  key: string;
  id?: string;
  zone: string;
}

/** The file's subnets of one kind, each with the zone it is in (its az, its key if a zone, else by position). */
function refs(cfg: ClusterConfigFile, kind: "public" | "private", fallback: readonly string[]): SubnetRef[] {
  const region = cfg.metadata?.region ?? "";
  return Object.entries(cfg.vpc?.subnets?.[kind] ?? {}).map(([key, s], i) => ({
    key,
    ...(s.id ? { id: s.id } : {}),
    zone: s.az ?? (key.startsWith(region) ? key : (fallback[i % Math.max(fallback.length, 1)] ?? key)),
  }));
}

export function clusterNetwork(cfg: ClusterConfigFile, regionZones?: readonly string[]): ClusterNetwork {
  const name = cfg.metadata?.name ?? "";
  const region = cfg.metadata?.region ?? "";
  const fallback = defaultZones(region, regionZones);
  const cp = cfg.vpc?.controlPlaneSubnetIDs ?? [];
  if (cp.length > 0) return { zones: cp.map((_, i) => fallback[i % fallback.length]!), subnetIds: [...cp] };
  const pub = refs(cfg, "public", fallback);
  const priv = refs(cfg, "private", fallback);
  if (pub.length + priv.length > 0) {
    const byZone = new Map<string, string>();
    for (const r of [...pub, ...priv])
      if (!byZone.has(r.zone)) byZone.set(r.zone, r.id ?? generatedSubnetId(name, r.zone));
    return { zones: [...byZone.keys()], subnetIds: [...byZone.values()] };
  }
  const zones = cfg.availabilityZones?.length ? [...new Set(cfg.availabilityZones)] : fallback;
  return { zones, subnetIds: zones.map((z) => generatedSubnetId(name, z)) };
}

/** A node group's subnets: those of its zones, or of the subnets it names (aliases or ids), or all. */
export function nodegroupSubnets(
  cfg: ClusterConfigFile,
  net: ClusterNetwork,
  ng: { availabilityZones?: string[]; subnets?: string[]; localZones?: string[] },
  regionZones?: readonly string[],
): string[] {
  const name = cfg.metadata?.name ?? "";
  const forZone = (zone: string) => {
    const i = net.zones.indexOf(zone);
    return i >= 0 ? net.subnetIds[i]! : generatedSubnetId(name, zone);
  };
  const zones = ng.availabilityZones?.length ? ng.availabilityZones : ng.localZones;
  if (zones?.length) return [...new Set(zones.map(forZone))];
  if (ng.subnets?.length) {
    const fallback = defaultZones(cfg.metadata?.region ?? "", regionZones);
    const all = [...refs(cfg, "public", fallback), ...refs(cfg, "private", fallback)];
    return [
      ...new Set(
        ng.subnets.map((s) => {
          if (net.subnetIds.includes(s)) return s;
          const ref = all.find((r) => r.key === s || r.id === s);
          return ref ? forZone(ref.zone) : s;
        }),
      ),
    ];
  }
  return [...net.subnetIds];
}
