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
    // The IPv4 range even on an IPv6 cluster: the simulated Kubernetes side allocates ClusterIPs from the
    // cluster's IPv4 service range only (admission/service-allocation.ts), so kube-dns's address must be in it.
    serviceCidr: doc.kubernetesNetworkConfig.serviceIpv4Cidr,
    endpoint: endpointFor(ctx, doc),
    clusterName: doc.name,
    serviceAccountRoleArn,
  };
}
