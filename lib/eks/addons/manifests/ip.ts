// Address arithmetic for the service CIDR: kube-dns sits at the network address plus 10, as EKS (and
// kubeadm) place it: 10.100.0.10 for 10.100.0.0/16, 172.20.0.10 for 172.20.0.0/16.

const KUBE_DNS_OFFSET = 10;

export function parseIpv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** "10.100.0.0/16" → { network, prefix }; undefined when it is not an IPv4 CIDR. */
export function parseCidr4(cidr: string): { network: number; prefix: number } | undefined {
  const [ip, bits, extra] = cidr.split("/");
  if (extra !== undefined || bits === undefined || !/^\d{1,2}$/.test(bits)) return undefined;
  const addr = parseIpv4(ip);
  const prefix = Number(bits);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { network: addr - (addr % size), prefix };
}

/** Whether `cidr` is an IPv4 CIDR written with its network address (10.0.0.0/8, not 10.0.0.1/8). */
export function isNetworkAddress(cidr: string): boolean {
  const c = parseCidr4(cidr);
  return c !== undefined && parseIpv4(cidr.split("/")[0]) === c.network;
}

function expandIpv6(ip: string): number[] | undefined {
  const halves = ip.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...new Array(fill).fill(0), ...tail];
  return groups.some((g) => Number.isNaN(g) || g > 0xffff) ? undefined : groups;
}

/** The kube-dns ClusterIP for a service CIDR (IPv4, or the ::a of an IPv6 one). */
export function kubeDnsIp(cidr: string): string {
  const v4 = parseCidr4(cidr);
  if (v4) return formatIpv4(v4.network + KUBE_DNS_OFFSET);
  const groups = expandIpv6(cidr.split("/")[0]);
  if (!groups) throw new Error(`not a CIDR: ${cidr}`);
  groups[7] += KUBE_DNS_OFFSET;
  return groups
    .map((g) => g.toString(16))
    .join(":")
    .replace(/(^|:)0(:0)+(:|$)/, "::");
}
