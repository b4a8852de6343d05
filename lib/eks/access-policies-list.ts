// The access policies ListAccessPolicies returns (eks-auth.md §6), in EKS's order. Defined here rather than
// taken from lib/identity: the EKS API only needs their names and ARNs; what each one permits inside the
// cluster is the authorizer's concern.

const NAMES = [
  "AmazonEKSAdminPolicy",
  "AmazonEKSAdminViewPolicy",
  "AmazonEKSClusterAdminPolicy",
  "AmazonEKSEditPolicy",
  "AmazonEKSViewPolicy",
  "AmazonEKSAutoNodePolicy",
  "AmazonEKSBlockStorageClusterPolicy",
  "AmazonEKSBlockStoragePolicy",
  "AmazonEKSComputeClusterPolicy",
  "AmazonEKSComputePolicy",
  "AmazonEKSHybridPolicy",
  "AmazonEKSLoadBalancingClusterPolicy",
  "AmazonEKSLoadBalancingPolicy",
  "AmazonEKSNetworkingClusterPolicy",
  "AmazonEKSNetworkingPolicy",
] as const;

export type AccessPolicyName = (typeof NAMES)[number];

/** The partition-free ARN EKS uses for its access policies in every region. */
export const accessPolicyArn = (name: string): string => `arn:aws:eks::aws:cluster-access-policy/${name}`;

export const ACCESS_POLICIES: readonly { name: AccessPolicyName; arn: string }[] = NAMES.map((name) => ({
  name,
  arn: accessPolicyArn(name),
}));

export const CLUSTER_ADMIN_POLICY_ARN = accessPolicyArn("AmazonEKSClusterAdminPolicy");
export const AUTO_NODE_POLICY_ARN = accessPolicyArn("AmazonEKSAutoNodePolicy");

const BY_ARN = new Map(ACCESS_POLICIES.map((p) => [p.arn, p]));

export function isAccessPolicyArn(arn: string): boolean {
  return BY_ARN.has(arn);
}
