import { privateDnsSuffix, zoneIndex } from "./regions.ts";

// Private addresses of simulated instances. Each zone has one subnet: the caller's (`subnetCidrByZone`), or
// the one eksctl's default VPC would give it, 192.168.0.0/16 cut into /19s, the i-th zone of the region
// getting 192.168.(32·i).0/19. Addresses are handed out in order from a per-cluster, per-zone counter,
// skipping AWS's reserved ones (the first four and the last of every subnet) and wrapping round at the end;
// the store makes each one unique among the cluster's live instances (provider.ts).

export interface Cidr4 {
  /** The network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

export function parseCidr(cidr: string): Cidr4 {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix < 16 || prefix > 28)
    throw new Error(`${JSON.stringify(cidr)} is not an IPv4 subnet between /16 and /28`);
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) throw new Error(`${cidr} is not a network address`);
  return { base: addr, prefix };
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** Addresses an instance can get in a subnet (all but the 4 first and the last one, as in a VPC). */
export function usableAddresses(c: Cidr4): number {
  return 2 ** (32 - c.prefix) - 5;
}

/** The n-th (0-based, wrapping round) usable address of a subnet. */
export function nthAddress(c: Cidr4, n: number): string {
  return formatIp(c.base + 4 + (n % usableAddresses(c)));
}

/** The subnet of a zone when the caller gives none: eksctl's default VPC layout (see above). */
export function defaultSubnetCidr(zone: string): string {
  const i = zoneIndex(zone);
  if (i < 0 || i > 7) throw new Error(`no default subnet for zone ${JSON.stringify(zone)}`);
  return `192.168.${32 * i}.0/19`;
}

/** `ip-192-168-32-4.ec2.internal` (us-east-1) or `ip-…<region>.compute.internal`. */
export function privateDnsName(ip: string, region: string): string {
  return `ip-${ip.replaceAll(".", "-")}.${privateDnsSuffix(region)}`;
}
