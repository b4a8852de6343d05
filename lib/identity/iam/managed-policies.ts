import type { PolicyDocument, Statement } from "./policy.ts";

// The AWS managed policies Kumulus knows, by ARN. Their documents are simplified to the APIs Kumulus
// serves: the EKS service-role policies grant rights to AWS services Kumulus does not call on a role's
// behalf, so they are attachable but grant nothing here.

export interface ManagedPolicy {
  name: string;
  arn: string;
  path: string;
  document: PolicyDocument;
}

const allow = (action: string[], resource: string[] = ["*"]): Statement => ({
  effect: "Allow",
  action,
  resource,
});

const defs: [name: string, statements: Statement[], path?: string][] = [
  ["AdministratorAccess", [allow(["*"])]],
  [
    "PowerUserAccess",
    [{ effect: "Allow", notAction: ["iam:*", "organizations:*", "account:*"], resource: ["*"] }],
  ],
  ["ReadOnlyAccess", [allow(["*:Describe*", "*:List*", "*:Get*"])]],
  ["IAMFullAccess", [allow(["iam:*"])]],
  ["IAMReadOnlyAccess", [allow(["iam:Get*", "iam:List*"])]],
  ["AmazonEKSClusterPolicy", []],
  ["AmazonEKSServicePolicy", []],
  ["AmazonEKSVPCResourceController", []],
  ["AmazonEKSWorkerNodePolicy", [allow(["eks:DescribeCluster", "eks-auth:AssumeRoleForPodIdentity"])]],
  ["AmazonEKS_CNI_Policy", []],
  ["AmazonEC2ContainerRegistryReadOnly", []],
  ["AmazonEKSBlockStoragePolicy", [], "/service-role/"],
  ["AmazonEBSCSIDriverPolicy", [], "/service-role/"],
];

export const MANAGED_POLICIES: ReadonlyMap<string, ManagedPolicy> = new Map(
  defs.map(([name, statements, path = "/"]) => {
    const arn = `arn:aws:iam::aws:policy${path}${name}`;
    return [arn, { name, arn, path, document: { statements } }];
  }),
);

export const ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess";
