import type { KubeObject } from "../api/types.ts";
import { isConflict } from "../controllers/client.ts";
import { clientFor, now } from "../controllers/runtime.ts";

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
  const cap = INSTANCE_TYPES[instanceType];
  const ts = now();
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
    status: {
      capacity: { ...cap, "ephemeral-storage": "80Gi" },
      allocatable: { ...cap, "ephemeral-storage": "76Gi" },
      addresses: [
        { type: "InternalIP", address: `10.0.${index}.${10 + index}` },
        { type: "Hostname", address: name },
      ],
      conditions: [
        {
          type: "MemoryPressure",
          status: "False",
          reason: "KubeletHasSufficientMemory",
          message: "kubelet has sufficient memory available",
          lastHeartbeatTime: ts,
          lastTransitionTime: ts,
        },
        {
          type: "DiskPressure",
          status: "False",
          reason: "KubeletHasNoDiskPressure",
          message: "kubelet has no disk pressure",
          lastHeartbeatTime: ts,
          lastTransitionTime: ts,
        },
        {
          type: "PIDPressure",
          status: "False",
          reason: "KubeletHasSufficientPID",
          message: "kubelet has sufficient PID available",
          lastHeartbeatTime: ts,
          lastTransitionTime: ts,
        },
        {
          type: "Ready",
          status: "True",
          reason: "KubeletReady",
          message: "kubelet is posting ready status",
          lastHeartbeatTime: ts,
          lastTransitionTime: ts,
        },
      ],
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
    },
  };
}

/** Makes sure the cluster has `count` simulated nodes (creates the missing ones). */
export async function ensureNodes(cluster: string, count: number): Promise<void> {
  const api = clientFor(cluster, "kumulus-node-provider");
  for (let i = 0; i < count; i++) {
    const node = nodeObject(i);
    if (await api.get(`/api/v1/nodes/${node.metadata.name}`)) continue;
    const { status, ...rest } = node;
    try {
      const created = await api.create("/api/v1/nodes", rest);
      await api.update(`/api/v1/nodes/${node.metadata.name}/status`, { ...created, status });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
}
