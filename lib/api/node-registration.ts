// A node to register from plain data: what a node provider (a managed node group, Fargate, Karpenter) hands
// the simulated kubelet. Here, below both rooms, because the EKS room and the kubelet room may not import
// each other.

export interface NodeRegistration {
  /** The node name: the instance's private DNS name. */
  name: string;
  labels: Record<string, string>;
  /** Set on the Node at registration, e.g. the instance's price and id. */
  annotations?: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  providerID: string;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  internalIP: string;
  arch: string;
  kubeletVersion?: string;
  osImage?: string;
}
