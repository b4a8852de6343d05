import { isNetworkAddress } from "../addons/manifests/ip.ts";
import type { EksError } from "../errors.ts";

// Rules on the public endpoint's CIDR allow-list, shared by CreateCluster and UpdateClusterConfig.

const MAX_PUBLIC_CIDRS = 40;

export function checkPublicAccessCidrs(
  cidrs: string[] | undefined,
  fail: (message: string) => EksError,
): void {
  if (!cidrs) return;
  if (cidrs.length > MAX_PUBLIC_CIDRS)
    throw fail(`The number of publicAccessCidrs exceeds the maximum of ${MAX_PUBLIC_CIDRS}`);
  for (const cidr of cidrs) {
    if (!isNetworkAddress(cidr))
      throw fail(`The following CIDRs are invalid in publicAccessCidrs: [${cidr}]`);
  }
}
