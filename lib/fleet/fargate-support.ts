import type { KubeObject } from "../api/types.ts";
import type { Instance } from "../capacity/instance.ts";
import { instanceNodeLabels, priceAnnotations } from "../capacity/labels.ts";
import type { FargateSize } from "../capacity/pricing.ts";
import type { NodeRegistrationData } from "../eks/node-host.ts";

// What the Fargate scheduler refuses, and the node a Fargate pod's micro-VM registers as (eks-fargate.md).
// Pure, so the rules are unit-tested without a stack.

interface Container {
  securityContext?: { privileged?: boolean };
  ports?: { hostPort?: number; hostIP?: string }[];
}

interface FargatePodSpec {
  hostNetwork?: boolean;
  containers?: Container[];
  initContainers?: Container[];
}

/**
 * Why Fargate cannot run this pod, worded as fargate-scheduler's FailedScheduling event
 * (`Pod not supported on Fargate: fields not supported: HostNetwork, invalid SecurityContext fields:
 * Privileged, port contains HostIP or HostPort`, quoted in aws-efs-csi-driver#589); undefined if it can.
 */
export function unsupportedReason(pod: KubeObject): string | undefined {
  const spec = (pod.spec ?? {}) as FargatePodSpec;
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const parts: string[] = [];
  if (spec.hostNetwork) parts.push("fields not supported: HostNetwork");
  if (containers.some((c) => c.securityContext?.privileged))
    parts.push("invalid SecurityContext fields: Privileged");
  if (containers.some((c) => (c.ports ?? []).some((p) => p.hostPort || p.hostIP)))
    parts.push("port contains HostIP or HostPort");
  if ((pod.metadata.ownerReferences ?? []).some((o) => o.kind === "DaemonSet"))
    parts.push("DaemonSet not supported");
  return parts.length ? `Pod not supported on Fargate: ${parts.join(", ")}` : undefined;
}

/** `ip-192-168-105-82.<region>.compute.internal`: the DNS name of the pod's ENI address. */
export function fargateHostname(i: Pick<Instance, "privateIp" | "region">): string {
  return `ip-${i.privateIp.replace(/\./g, "-")}.${i.region}.compute.internal`;
}

/** The node of a Fargate pod's micro-VM: `fargate-` and its hostname. */
export function fargateNodeName(i: Pick<Instance, "privateIp" | "region">): string {
  return `fargate-${fargateHostname(i)}`;
}

/**
 * The node a Fargate instance registers as: the compute-type label and NoSchedule taint (which keep every
 * other pod off it), the hostname without `fargate-`, a provider id naming the zone, and one pod of
 * capacity. cpu and memory are the VM's, which EKS says have no relation to the pod's size: at least 2 vCPU
 * and 16 Gi here. The instance's id and price are annotations, as on every node Kumulus launches.
 */
export function fargateNodeFor(i: Instance, size: FargateSize, kubeletVersion: string): NodeRegistrationData {
  const name = fargateNodeName(i);
  const capacity = {
    cpu: String(Math.max(2, size.vcpu)),
    memory: `${Math.max(16, size.memoryGB)}Gi`,
    "ephemeral-storage": `${size.storageGB ?? 20}Gi`,
    pods: "1",
  };
  return {
    name,
    labels: {
      ...instanceNodeLabels(i),
      "beta.kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/os": "linux",
      "kubernetes.io/hostname": fargateHostname(i),
      "eks.amazonaws.com/compute-type": "fargate",
    },
    annotations: priceAnnotations(i),
    taints: [{ key: "eks.amazonaws.com/compute-type", value: "fargate", effect: "NoSchedule" }],
    providerID: `aws:///${i.zone}/${i.id}/${name}`,
    capacity,
    allocatable: { ...capacity },
    internalIP: i.privateIp,
    arch: "amd64",
    kubeletVersion,
    osImage: "Amazon Linux 2 (Kumulus simulated Fargate)",
  };
}
