import type { NodeRegistration } from "../api/node-registration.ts";
import type { KubeObject } from "../api/types.ts";
import { isConflict } from "../client/client.ts";
import { nodeClientFor, now } from "../client/runtime.ts";

// Simulated nodes (KWOK-style): Node objects with EKS-like labels, capacity from their instance type, and a
// Ready condition the simulated kubelet keeps fresh.

const INSTANCE_TYPES: Record<string, { cpu: string; memory: string; pods: string }> = {
  "m5.large": { cpu: "2", memory: "8Gi", pods: "29" },
  "m5.xlarge": { cpu: "4", memory: "16Gi", pods: "58" },
  "c5.xlarge": { cpu: "4", memory: "8Gi", pods: "58" },
};
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

export function nodeObject(index: number, instanceType = "m5.xlarge"): KubeObject {
  const zone = ZONES[index % ZONES.length];
  const name = `ip-10-0-${index}-${10 + index}.ec2.internal`;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": name,
        "node.kubernetes.io/instance-type": instanceType,
        "topology.kubernetes.io/region": "us-east-1",
        "topology.kubernetes.io/zone": zone,
        "eks.amazonaws.com/nodegroup": "local",
        "kumulus.dev/simulated": "true",
      },
    },
    spec: {
      podCIDR: `10.244.${index}.0/24`,
      podCIDRs: [`10.244.${index}.0/24`],
      providerID: `kumulus:///${zone}/i-${index.toString(16).padStart(17, "0")}`,
    },
    status: nodeStatus(name, index, instanceType, `10.0.${index}.${10 + index}`),
  };
}

/** The four kubelet conditions, all healthy. */
export function healthyConditions(ts: string): Record<string, unknown>[] {
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: ts,
    lastTransitionTime: ts,
  });
  return [
    cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}

/** What the kubelet reports for a node of this instance type (unknown types count as m5.xlarge). */
export function nodeStatus(
  name: string,
  index: number,
  instanceType: string,
  ip: string,
): KubeObject["status"] {
  const cap = INSTANCE_TYPES[instanceType] ?? INSTANCE_TYPES["m5.xlarge"];
  return {
    capacity: { ...cap, "ephemeral-storage": "80Gi" },
    allocatable: { ...cap, "ephemeral-storage": "76Gi" },
    addresses: [
      { type: "InternalIP", address: ip },
      { type: "Hostname", address: name },
    ],
    conditions: healthyConditions(now()),
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      architecture: "amd64",
      operatingSystem: "linux",
      osImage: "Amazon Linux 2023 (Kumulus simulated)",
      kernelVersion: "6.1.0-kumulus",
      containerRuntimeVersion: "containerd://1.7.0-kumulus",
      kubeletVersion: "v1.32.0-kumulus",
      kubeProxyVersion: "v1.32.0-kumulus",
      machineID: `m${index}`,
      systemUUID: `s${index}`,
      bootID: `b${index}`,
    },
  };
}

/** `kumulus.io/kubelet: stopped` on a Node simulates a dead kubelet: no lease renewal, pods not driven. */
export const KUBELET_ANNOTATION = "kumulus.io/kubelet";

export function kubeletStopped(node: KubeObject | undefined): boolean {
  return node?.metadata.annotations?.[KUBELET_ANNOTATION] === "stopped";
}

/**
 * Makes sure the cluster has `count` simulated nodes (creates the missing ones). Each node registers itself,
 * as a kubelet does on EKS: it creates its own Node object as system:node:<name>, which the Node authorizer
 * and NodeRestriction allow for that node only, so the node provider needs no role (kube-controller-manager
 * could not create nodes either). The node's Lease follows from its kubelet (node-kubelet.ts).
 */
export async function ensureNodes(cluster: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const node = nodeObject(i);
    const api = nodeClientFor(cluster, node.metadata.name!);
    if (await api.get(`/api/v1/nodes/${node.metadata.name}`)) continue;
    const { status, ...rest } = node;
    try {
      await api.create("/api/v1/nodes", rest);
      // A merge patch, not an update: the node kubelet may have filled in defaults meanwhile (see
      // node-kubelet.ts); this node's own status wins.
      await api.mergePatch(`/api/v1/nodes/${node.metadata.name}/status`, { status });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
}

/**
 * Registers one node as its kubelet would (the same path as ensureNodes): the Node is created as
 * system:node:<name> with its labels, taints and provider id, then its status is posted (capacity,
 * allocatable, addresses, healthy conditions). The simulated kubelet renews its lease from then on. A pod
 * CIDR is picked from the free 10.244.i.0/24 ranges. Idempotent: an existing Node is left as it is.
 */
export async function registerNode(cluster: string, n: NodeRegistration): Promise<void> {
  const api = nodeClientFor(cluster, n.name);
  const path = `/api/v1/nodes/${encodeURIComponent(n.name)}`;
  if (await api.get(path)) return;
  const used = new Set(
    (await api.list("/api/v1/nodes")).items.map((x) => (x.spec as { podCIDR?: string } | undefined)?.podCIDR),
  );
  let i = 0;
  while (i < 255 && used.has(`10.244.${i}.0/24`)) i++;
  const podCIDR = `10.244.${i}.0/24`;
  try {
    await api.create("/api/v1/nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: n.name,
        labels: { ...n.labels },
        ...(n.annotations ? { annotations: { ...n.annotations } } : {}),
      },
      spec: {
        podCIDR,
        podCIDRs: [podCIDR],
        providerID: n.providerID,
        ...(n.taints.length ? { taints: n.taints.map((t) => ({ ...t })) } : {}),
      },
    });
  } catch (e) {
    if (isConflict(e)) return;
    throw e;
  }
  const base = nodeStatus(n.name, i, "m5.xlarge", n.internalIP) as Record<string, any>;
  await api.mergePatch(`${path}/status`, {
    status: {
      ...base,
      capacity: { ...n.capacity },
      allocatable: { ...n.allocatable },
      nodeInfo: {
        ...base.nodeInfo,
        architecture: n.arch,
        ...(n.kubeletVersion ? { kubeletVersion: n.kubeletVersion, kubeProxyVersion: n.kubeletVersion } : {}),
        ...(n.osImage ? { osImage: n.osImage } : {}),
      },
    },
  });
}
