import { instanceType, instanceTypeLabels } from "./catalog.ts";
import type { Instance } from "./instance.ts";

/**
 * The labels a node of this instance carries whoever launched it: its type's (catalog.ts), the hostname (the
 * private DNS name) and the topology labels, GA and beta, with the zone id. The capacity-type label is the
 * caller's, since its key and values differ (`karpenter.sh/capacity-type=spot`,
 * `eks.amazonaws.com/capacityType=SPOT`); Fargate capacity gets amd64/linux and no type labels.
 */
export function instanceNodeLabels(i: Instance): Record<string, string> {
  const t = instanceType(i.instanceType);
  return {
    ...(t ? instanceTypeLabels(t) : { "kubernetes.io/arch": "amd64", "kubernetes.io/os": "linux" }),
    "kubernetes.io/hostname": i.privateDnsName,
    "topology.kubernetes.io/region": i.region,
    "topology.kubernetes.io/zone": i.zone,
    "failure-domain.beta.kubernetes.io/region": i.region,
    "failure-domain.beta.kubernetes.io/zone": i.zone,
    ...(i.zoneId ? { "topology.k8s.aws/zone-id": i.zoneId } : {}),
  };
}

/** Annotation keys Kumulus puts on every node it launches capacity for. */
export const PRICE_ANNOTATION = "kumulus.io/price-per-hour";
export const INSTANCE_ID_ANNOTATION = "kumulus.io/instance-id";
export const CAPACITY_TYPE_ANNOTATION = "kumulus.io/capacity-type";

/**
 * The instance's id, capacity type and USD hourly price (fixed at launch), as node annotations: the price in
 * plain decimal, so `kubectl get nodes -o custom-columns=PRICE:.metadata.annotations.kumulus\.io/price-per-hour`
 * reads it, and a sum over nodes is the cluster's EC2 cost per hour.
 */
export function priceAnnotations(i: Instance): Record<string, string> {
  return {
    [INSTANCE_ID_ANNOTATION]: i.id,
    [CAPACITY_TYPE_ANNOTATION]: i.capacityType,
    [PRICE_ANNOTATION]: String(Number(i.hourlyPrice.toFixed(6))),
  };
}
