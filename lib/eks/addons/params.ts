import type { ClusterDoc, EksContext } from "../repo.ts";
import { endpointFor } from "../shapes.ts";
import type { AddonParams } from "./manifests/index.ts";

/** What an add-on's manifests are built from, for this cluster. */
export function addonParamsFor(
  ctx: EksContext,
  doc: ClusterDoc,
  addonVersion: string,
  serviceAccountRoleArn?: string,
): AddonParams {
  return {
    clusterVersion: doc.version,
    addonVersion,
    region: ctx.region,
    serviceCidr:
      doc.kubernetesNetworkConfig.ipFamily === "ipv6" && doc.kubernetesNetworkConfig.serviceIpv6Cidr
        ? doc.kubernetesNetworkConfig.serviceIpv6Cidr
        : doc.kubernetesNetworkConfig.serviceIpv4Cidr,
    endpoint: endpointFor(ctx, doc),
    clusterName: doc.name,
    serviceAccountRoleArn,
  };
}
