// The data of `kumulus apply`: what the cluster is now (as the EKS API and aws-auth report it), and the plan
// that moves it to what a ClusterConfig file asks for. Plain data on both sides, so the diff is pure and the
// CLI only reads the state and runs the calls.
import type {
  AccessEntry,
  Addon,
  AssociateAccessPolicyRequest,
  AssociatedAccessPolicy,
  Cluster,
  CreateAccessEntryRequest,
  CreateAddonRequest,
  CreateClusterRequest,
  CreateFargateProfileRequest,
  CreateNodegroupRequest,
  CreatePodIdentityAssociationRequest,
  DeleteAccessEntryRequest,
  DeleteAddonRequest,
  DeleteFargateProfileRequest,
  DeleteNodegroupRequest,
  DeletePodIdentityAssociationRequest,
  DisassociateAccessPolicyRequest,
  FargateProfile,
  Nodegroup,
  PodIdentityAssociation,
  UpdateAccessEntryRequest,
  UpdateAddonRequest,
  UpdateClusterConfigRequest,
  UpdateClusterVersionRequest,
  UpdateNodegroupConfigRequest,
  UpdateNodegroupVersionRequest,
  UpdatePodIdentityAssociationRequest,
} from "@aws-sdk/client-eks";

/** One row of aws-auth: mapRoles/mapUsers (arn) or mapAccounts (account). */
export interface IdentityMapping {
  arn?: string;
  username?: string;
  groups?: string[];
  account?: string;
}

/** An IRSA service account: a ServiceAccount annotated with the IAM role its pods assume. */
export interface IamServiceAccount {
  namespace: string;
  name: string;
  roleArn: string;
}

/** What the file asks for: the requests `create cluster -f` would send (clusterRequests of lib/eksctl). */
export interface DesiredState {
  createCluster: CreateClusterRequest;
  nodegroups: CreateNodegroupRequest[];
  fargateProfiles: CreateFargateProfileRequest[];
  addons: CreateAddonRequest[];
  accessEntries: { entry: CreateAccessEntryRequest; policies: AssociateAccessPolicyRequest[] }[];
  podIdentityAssociations: CreatePodIdentityAssociationRequest[];
  iamIdentityMappings: IdentityMapping[];
  /** iam.serviceAccounts; absent means the file's plan leaves service accounts alone. */
  iamServiceAccounts?: IamServiceAccount[];
}

/** What the cluster has: DescribeCluster, Describe* of every listed child, aws-auth's rows. */
export interface CurrentState {
  cluster: Cluster;
  nodegroups: Nodegroup[];
  fargateProfiles: FargateProfile[];
  addons: Addon[];
  /** Empty when the cluster is in CONFIG_MAP mode (ListAccessEntries refuses then). */
  accessEntries: { entry: AccessEntry; policies: AssociatedAccessPolicy[] }[];
  podIdentityAssociations: PodIdentityAssociation[];
  iamIdentityMappings: IdentityMapping[];
  /** ServiceAccounts eksctl (or kumulus) made for IRSA: labelled managed-by eksctl, with a role annotation. */
  iamServiceAccounts?: IamServiceAccount[];
}

export interface PlanOptions {
  /**
   * Principals whose access entries apply never removes although the file does not name them: the cluster
   * creator's entry, which EKS made and eksctl files never list.
   */
  keepPrincipals?: string[];
}

/** One EKS API request (or aws-auth edit) of a step, run in order; each is waited on before the next. */
export type PlanCall =
  | { op: "UpdateClusterVersion"; input: UpdateClusterVersionRequest }
  | { op: "UpdateClusterConfig"; input: UpdateClusterConfigRequest }
  | { op: "CreateNodegroup"; input: CreateNodegroupRequest }
  | { op: "UpdateNodegroupConfig"; input: UpdateNodegroupConfigRequest }
  | { op: "UpdateNodegroupVersion"; input: UpdateNodegroupVersionRequest }
  | { op: "DeleteNodegroup"; input: DeleteNodegroupRequest }
  | { op: "CreateFargateProfile"; input: CreateFargateProfileRequest }
  | { op: "DeleteFargateProfile"; input: DeleteFargateProfileRequest }
  | { op: "CreateAddon"; input: CreateAddonRequest }
  | { op: "UpdateAddon"; input: UpdateAddonRequest }
  | { op: "DeleteAddon"; input: DeleteAddonRequest }
  | { op: "CreateAccessEntry"; input: CreateAccessEntryRequest }
  | { op: "UpdateAccessEntry"; input: UpdateAccessEntryRequest }
  | { op: "DeleteAccessEntry"; input: DeleteAccessEntryRequest }
  | { op: "AssociateAccessPolicy"; input: AssociateAccessPolicyRequest }
  | { op: "DisassociateAccessPolicy"; input: DisassociateAccessPolicyRequest }
  | { op: "CreatePodIdentityAssociation"; input: CreatePodIdentityAssociationRequest }
  | { op: "UpdatePodIdentityAssociation"; input: UpdatePodIdentityAssociationRequest }
  | { op: "DeletePodIdentityAssociation"; input: DeletePodIdentityAssociationRequest }
  | { op: "PutIdentityMapping"; cluster: string; mapping: IdentityMapping }
  | { op: "RemoveIdentityMapping"; cluster: string; mapping: IdentityMapping }
  | { op: "PutServiceAccount"; account: IamServiceAccount }
  | { op: "RemoveServiceAccount"; account: IamServiceAccount };

export type PlanResource =
  | "cluster"
  | "nodegroup"
  | "fargateprofile"
  | "addon"
  | "accessentry"
  | "iamidentitymapping"
  | "podidentityassociation"
  | "iamserviceaccount";

/** create "+", update "~", delete "-", replace "-/+" (delete, then create under the same name). */
export type PlanAction = "create" | "update" | "delete" | "replace";

export interface PlanStep {
  resource: PlanResource;
  action: PlanAction;
  /** The resource's name as eksctl shows it (node group name, add-on name, principal ARN, ns/sa...). */
  name: string;
  /** What changes, one "field: old → new" line each; for a replace, why it cannot be done in place. */
  changes: string[];
  calls: PlanCall[];
}

export interface Plan {
  cluster: string;
  steps: PlanStep[];
  /** Differences apply will not make, with the reason. A plan with refusals is not run at all. */
  refusals: string[];
}

/** A step builder's answer: steps, plus refusals for what cannot be changed. */
export interface Diff {
  steps: PlanStep[];
  refusals: string[];
}
