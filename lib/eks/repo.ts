import type { KubeObject } from "../api/types.ts";

// The storage and Kubernetes seams of the EKS API. The handlers in this folder are pure logic over these
// interfaces; the lead implements them on DynamoDB and the cluster's API server.

export type ClusterStatus = "CREATING" | "ACTIVE" | "DELETING" | "FAILED" | "UPDATING" | "PENDING";
export type AuthenticationMode = "API" | "API_AND_CONFIG_MAP" | "CONFIG_MAP";
export type LogType = "api" | "audit" | "authenticator" | "controllerManager" | "scheduler";

export interface VpcConfigDoc {
  subnetIds: string[];
  securityGroupIds: string[];
  clusterSecurityGroupId: string;
  vpcId: string;
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
}

export interface ClusterIssueDoc {
  code: string;
  message: string;
  resourceIds: string[];
}

/** Everything EKS knows about one cluster, stored as one document. */
export interface ClusterDoc {
  name: string;
  /** arn:aws:eks:<region>:<account>:cluster/<name> */
  arn: string;
  /** 32 uppercase hex chars, used in the OIDC issuer. */
  id: string;
  /** Epoch ms. */
  createdAt: number;
  /** "1.32" */
  version: string;
  /** "eks.N" */
  platformVersion: string;
  status: ClusterStatus;
  roleArn: string;
  resourcesVpcConfig: VpcConfigDoc;
  kubernetesNetworkConfig: {
    serviceIpv4Cidr: string;
    ipFamily: "ipv4" | "ipv6";
    elasticLoadBalancing: { enabled: boolean };
    /** Only for ipFamily ipv6: EKS picks a unique local /108. */
    serviceIpv6Cidr?: string;
  };
  logging: { clusterLogging: { types: string[]; enabled: boolean }[] };
  accessConfig: { bootstrapClusterCreatorAdminPermissions: boolean; authenticationMode: AuthenticationMode };
  upgradePolicy: { supportType: "STANDARD" | "EXTENDED" };
  bootstrapSelfManagedAddons: boolean;
  tags: Record<string, string>;
  clientRequestToken?: string;
  /** Newest last; keep at most 100. */
  updates: UpdateDoc[];
  addons: Record<string, AddonDoc>;
  /** Kumulus extension: simulated node count requested at create. */
  nodes?: number;
  /** Kumulus extension: the instance type of the `nodes` extension's node group (default-nodegroup.ts). */
  nodeType?: string;
  /**
   * The IAM principal that created the cluster: the issuer ARN (for a role session, the role). In CONFIG_MAP
   * mode the authenticator grants it system:masters; in the API modes it has an access entry instead.
   */
  creatorArn?: string;
  /** Access entries by principal ARN. Absent on documents written before access entries existed. */
  accessEntries?: Record<string, AccessEntryDoc>;
  /** EKS Pod Identity associations by association id (`a-` + 17 lowercase alphanumerics). */
  podIdentityAssociations?: Record<string, PodIdentityAssociationDoc>;
  /** What describe-cluster reports under health.issues (set when bootstrap fails). */
  healthIssues?: ClusterIssueDoc[];
  /** Managed node groups by name. Absent on documents written before node groups existed. */
  nodegroups?: Record<string, NodegroupDoc>;
  /** Fargate profiles by name (lib/eks/fargate.ts). Absent on documents written before Fargate existed. */
  fargateProfiles?: Record<string, FargateProfileDoc>;
  /**
   * The Cluster Autoscaler's state (lib/fleet/autoscaler.ts): since when each node is unneeded, and which
   * groups are in backoff after a failed scale-up (epoch ms).
   */
  clusterAutoscaler?: {
    unneededSince: Record<string, number>;
    backoff?: Record<string, { until: number; ms: number; at: number }>;
  };
}

/** A Fargate profile; immutable once created, as in EKS. */
export interface FargateProfileDoc {
  fargateProfileName: string;
  /** arn:aws:eks:<region>:<account>:fargateprofile/<cluster>/<name>/<uuid> */
  arn: string;
  /** Stored CREATING, DELETING or a failure; CREATING reads ACTIVE from activeAt on (lib/eks/fargate.ts). */
  status: "CREATING" | "ACTIVE" | "DELETING" | "CREATE_FAILED" | "DELETE_FAILED";
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms from which the profile is ACTIVE. */
  activeAt: number;
  podExecutionRoleArn: string;
  subnets: string[];
  selectors: { namespace: string; labels: Record<string, string> }[];
  tags: Record<string, string>;
  clientRequestToken?: string;
}

export type NodegroupStatus =
  | "CREATING"
  | "ACTIVE"
  | "UPDATING"
  | "DELETING"
  | "CREATE_FAILED"
  | "DELETE_FAILED"
  | "DEGRADED";

/** A managed node group (lib/eks/nodegroups.ts); its instances are the capacity provider's. */
export interface NodegroupDoc {
  nodegroupName: string;
  /** arn:aws:eks:<region>:<account>:nodegroup/<cluster>/<name>/<uuid> */
  arn: string;
  /** The uuid of the ARN, also in the Auto Scaling group's name. */
  uuid: string;
  status: NodegroupStatus;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  modifiedAt: number;
  version: string;
  releaseVersion: string;
  capacityType: "ON_DEMAND" | "SPOT" | "CAPACITY_BLOCK";
  scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
  instanceTypes: string[];
  subnets: string[];
  amiType: string;
  nodeRole: string;
  diskSize: number;
  labels: Record<string, string>;
  /** API spelling of effects: NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE. */
  taints: { key: string; value?: string; effect: string }[];
  tags: Record<string, string>;
  updateConfig: { maxUnavailable?: number; maxUnavailablePercentage?: number; updateStrategy?: string };
  remoteAccess?: { ec2SshKey?: string; sourceSecurityGroups?: string[] };
  clientRequestToken?: string;
  healthIssues?: { code: string; message: string; resourceIds: string[] }[];
  /** An UpdateNodegroupVersion under way (lib/eks/rollout*.ts): the state the rollout loop resumes from. */
  rollout?: NodegroupRolloutDoc;
  /** Epoch ms when DeleteNodegroup started draining the group (status DELETING). */
  deleteStartedAt?: number;
  /** The delete's last progress: pods left on the group's undrained nodes, and since when that many. */
  deleteProgress?: { podsLeft: number; at: number };
}

export interface NodegroupRolloutDoc {
  updateId: string;
  version: string;
  releaseVersion: string;
  force: boolean;
  /** Epoch ms. */
  startedAt: number;
  /** How long a node's pods may refuse eviction before the update fails (or, with force, is overridden). */
  evictionTimeoutMs: number;
  /** Instance id → epoch ms its node began draining. */
  draining: Record<string, number>;
}

export interface UpdateDoc {
  id: string;
  type: string;
  status: "InProgress" | "Failed" | "Cancelled" | "Successful";
  params: { type: string; value: string }[];
  /** Epoch ms. */
  createdAt: number;
  errors: { errorCode: string; errorMessage: string; resourceIds: string[] }[];
  clientRequestToken?: string;
  addonName?: string;
  /** Set for node-group updates (UpdateNodegroupConfig): they list under ListUpdates?nodegroupName. */
  nodegroupName?: string;
}

export type AddonStatus =
  | "CREATING"
  | "ACTIVE"
  | "CREATE_FAILED"
  | "UPDATING"
  | "DELETING"
  | "DELETE_FAILED"
  | "DEGRADED"
  | "UPDATE_FAILED";

export interface AddonDoc {
  addonName: string;
  addonVersion: string;
  status: AddonStatus;
  arn: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  modifiedAt: number;
  serviceAccountRoleArn?: string;
  configurationValues?: string;
  tags: Record<string, string>;
  clientRequestToken?: string;
  resolveConflicts?: string;
  /** Set when applying the add-on's objects failed (status CREATE_FAILED / UPDATE_FAILED). */
  healthIssues?: { code: string; message: string; resourceIds: string[] }[];
}

/** STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, EC2, HYBRID_LINUX, HYPERPOD_LINUX. */
export type AccessEntryType = string;

export interface AccessScopeDoc {
  type: "cluster" | "namespace";
  /** Empty for cluster scope. Names may end in a `*` wildcard; EKS does not check that they exist. */
  namespaces: string[];
}

export interface AccessPolicyAssociationDoc {
  accessScope: AccessScopeDoc;
  /** Epoch ms. */
  associatedAt: number;
  /** Epoch ms. */
  modifiedAt: number;
}

export interface AccessEntryDoc {
  principalArn: string;
  type: AccessEntryType;
  /** Only a username the caller chose; EKS's default for the type is derived when reported. */
  username?: string;
  kubernetesGroups: string[];
  arn: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  modifiedAt: number;
  tags: Record<string, string>;
  clientRequestToken?: string;
  /** Associated access policies by policy ARN. */
  policies: Record<string, AccessPolicyAssociationDoc>;
}

export interface PodIdentityAssociationDoc {
  associationId: string;
  arn: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  /** Set with targetRoleArn: the external id EKS passes when assuming the target role. */
  externalId?: string;
  disableSessionTags: boolean;
  /** A session policy (JSON text) applied when the role is assumed. */
  policy?: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  modifiedAt: number;
  tags: Record<string, string>;
  clientRequestToken?: string;
  /** The add-on that owns the association, if one does. */
  ownerArn?: string;
}

/**
 * The SigV4-verified principal of an EKS request, as the edge passes it (`eks.fetch(req, { caller })`). For
 * a role session `arn` is the STS assumed-role ARN and `roleArn` the IAM role: the issuer.
 */
export interface Caller {
  arn: string;
  account: string;
  userId: string;
  principalType: "user" | "assumed-role" | "root";
  roleArn?: string;
}

export interface EksRepo {
  get(name: string): Promise<{ doc: ClusterDoc; version: number } | undefined>;
  /** Every cluster, any order. */
  list(): Promise<ClusterDoc[]>;
  /** False when a cluster of that name exists. */
  create(doc: ClusterDoc): Promise<boolean>;
  /** Compare-and-swap on version; false on mismatch. */
  replace(doc: ClusterDoc, version: number): Promise<boolean>;
  remove(name: string): Promise<void>;
}

/** Kubernetes-side effects, implemented by the lead (through the cluster's API server and store). */
export interface EksEffects {
  /** Creates the Kubernetes side of a new cluster: revision counter, built-in namespaces, default StorageClass, `doc.nodes` simulated nodes. Idempotent. */
  bootstrap(doc: ClusterDoc): Promise<void>;
  /** Creates or updates the kube-system objects of an add-on (given as built by your manifests module). Idempotent. */
  applyObjects(cluster: string, objects: KubeObject[]): Promise<void>;
  /** Deletes these objects (by apiVersion/kind/namespace/name); missing ones are fine. */
  deleteObjects(cluster: string, objects: KubeObject[]): Promise<void>;
  /** Removes every Kubernetes object of the cluster. */
  destroy(cluster: string): Promise<void>;
}

export interface EksContext {
  repo: EksRepo;
  effects: EksEffects;
  region: string;
  account: string;
  /** Base URL of the stack, e.g. https://127.0.0.1:8443 */
  endpointBase: string;
  /** Base64 of the CA PEM for certificateAuthority.data */
  caData: string;
  now?: () => number;
}
