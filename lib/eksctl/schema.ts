import { z } from "zod";

// The eksctl.io/v1alpha5 ClusterConfig as zod schemas. Every object is strict because eksctl decodes files
// with yaml.UnmarshalStrict: an unknown key is an error, not something to drop. Free-form values (IAM
// policy documents, kubelet config, Bottlerocket settings, addon configuration) stay records, as in Go.

const str = z.string();
const bool = z.boolean();
const int = z.number().int();
const num = z.number();
const strMap = z.record(z.string(), z.string());
const anyMap = z.record(z.string(), z.unknown());
const strs = z.array(z.string());
const o = <T extends z.ZodRawShape>(shape: T) => z.object(shape).partial().strict();

const WellKnownPolicies = o({
  imageBuilder: bool,
  autoScaler: bool,
  awsLoadBalancerController: bool,
  externalDNS: bool,
  certManager: bool,
  ebsCSIController: bool,
  efsCSIController: bool,
});

const Taint = o({ key: str, value: str, effect: str });

const NodeGroupIAM = o({
  attachPolicy: anyMap,
  attachPolicyARNs: strs,
  instanceProfileARN: str,
  instanceRoleARN: str,
  instanceRoleName: str,
  instanceRolePermissionsBoundary: str,
  withAddonPolicies: o({
    imageBuilder: bool,
    autoScaler: bool,
    externalDNS: bool,
    certManager: bool,
    appMesh: bool,
    appMeshPreview: bool,
    ebs: bool,
    fsx: bool,
    efs: bool,
    awsLoadBalancerController: bool,
    albIngress: bool,
    xRay: bool,
    cloudWatch: bool,
  }),
});

const VolumeMapping = o({
  volumeSize: int,
  volumeType: str,
  volumeName: str,
  volumeEncrypted: bool,
  volumeKmsKeyID: str,
  volumeIOPS: int,
  volumeThroughput: int,
  snapshotID: str,
});

const nodeGroupBase = {
  name: str,
  amiFamily: str,
  instanceType: str,
  availabilityZones: strs,
  subnets: strs,
  instancePrefix: str,
  instanceName: str,
  desiredCapacity: int,
  minSize: int,
  maxSize: int,
  volumeSize: int,
  ssh: o({
    allow: bool,
    publicKeyPath: str,
    publicKey: str,
    publicKeyName: str,
    sourceSecurityGroupIds: strs,
    enableSsm: bool,
  }),
  labels: strMap,
  privateNetworking: bool,
  tags: strMap,
  iam: NodeGroupIAM,
  ami: str,
  securityGroups: o({ attachIDs: strs, withShared: bool.nullable(), withLocal: bool.nullable() }),
  maxPodsPerNode: int,
  asgSuspendProcesses: strs,
  ebsOptimized: bool,
  volumeType: str,
  volumeName: str,
  volumeEncrypted: bool,
  volumeKmsKeyID: str,
  volumeIOPS: int,
  volumeThroughput: int,
  additionalVolumes: z.array(VolumeMapping),
  preBootstrapCommands: strs,
  overrideBootstrapCommand: str,
  propagateASGTags: bool,
  disableIMDSv1: bool,
  disablePodIMDS: bool,
  placement: o({ groupName: str, spreadLevel: str }),
  efaEnabled: bool,
  instanceSelector: o({
    vCPUs: int,
    memory: str,
    gpus: int,
    neuron_devices: int,
    cpuArchitecture: str,
    allow: strs,
    deny: strs,
  }),
  bottlerocket: o({ enableAdminContainer: bool, settings: anyMap }),
  enableDetailedMonitoring: bool,
  capacityReservation: o({
    capacityReservationPreference: str,
    capacityReservationTarget: o({ capacityReservationID: str, capacityReservationResourceGroupARN: str }),
  }),
  instanceMarketOptions: o({ marketType: str }),
  outpostARN: str,
};

const UpdateConfig = o({ maxUnavailable: int, maxUnavailablePercentage: int });

export const NodeGroupSchema = o({
  ...nodeGroupBase,
  instancesDistribution: o({
    instanceTypes: strs,
    maxPrice: num,
    onDemandBaseCapacity: int,
    onDemandPercentageAboveBaseCapacity: int,
    spotInstancePools: int,
    spotAllocationStrategy: str,
    capacityRebalance: bool,
  }),
  asgMetricsCollection: z.array(o({ granularity: str, metrics: strs })),
  cpuCredits: str,
  classicLoadBalancerNames: strs,
  targetGroupARNs: strs,
  // Self-managed groups take taints as a map `key: value:Effect` or as a list; defaults normalise to a list.
  taints: z.union([z.array(Taint), strMap]),
  updateConfig: UpdateConfig,
  clusterDNS: str,
  kubeletExtraConfig: anyMap,
  containerRuntime: str,
  maxInstanceLifetime: int,
  localZones: strs,
  enclaveEnabled: bool,
});

export const ManagedNodeGroupSchema = o({
  ...nodeGroupBase,
  instanceTypes: strs,
  spot: bool,
  taints: z.array(Taint),
  updateConfig: UpdateConfig,
  launchTemplate: o({ id: str, version: str }),
  releaseVersion: str,
  nodeRepairConfig: o({
    enabled: bool,
    maxUnhealthyNodeThresholdPercentage: int,
    maxUnhealthyNodeThresholdCount: int,
    maxParallelNodesRepairedPercentage: int,
    maxParallelNodesRepairedCount: int,
    nodeRepairConfigOverrides: z.array(
      o({
        nodeMonitoringCondition: str,
        nodeUnhealthyReason: str,
        minRepairWaitTimeMins: int,
        repairAction: str,
      }),
    ),
  }),
});

const Metadata = o({
  name: str,
  region: str,
  version: str,
  forceUpdateVersion: bool,
  rollbackConfig: o({ timeoutMinutes: int }),
  tags: strMap,
  annotations: strMap,
});

const Subnet = o({ id: str, az: str, cidr: str });

const ClusterVPC = o({
  id: str,
  cidr: str,
  ipv6Cidr: str,
  ipv6Pool: str,
  securityGroup: str,
  subnets: o({ private: z.record(z.string(), Subnet), public: z.record(z.string(), Subnet) }),
  hostnameType: str,
  extraCIDRs: strs,
  extraIPv6CIDRs: strs,
  sharedNodeSecurityGroup: str,
  manageSharedNodeSecurityGroupRules: bool,
  autoAllocateIPv6: bool,
  nat: o({ gateway: str }),
  clusterEndpoints: o({ privateAccess: bool, publicAccess: bool }),
  publicAccessCIDRs: strs,
  controlPlaneSubnetIDs: strs,
  controlPlaneOnPrivateSubnets: bool,
  controlPlaneSecurityGroupIDs: strs,
  controlPlaneEgressMode: str,
});

const ServiceAccount = o({
  metadata: o({ name: str, namespace: str, labels: strMap, annotations: strMap }),
  attachPolicyARNs: strs,
  wellKnownPolicies: WellKnownPolicies,
  attachPolicy: anyMap,
  attachRoleARN: str,
  permissionsBoundary: str,
  status: o({ roleARN: str, stackName: str, tags: strMap, capabilities: strs }),
  roleName: str,
  roleOnly: bool,
  tags: strMap,
  subjectPattern: str,
});

const PodIdentityAssociation = o({
  namespace: str,
  serviceAccountName: str,
  roleARN: str,
  createServiceAccount: bool,
  roleName: str,
  permissionsBoundaryARN: str,
  permissionPolicyARNs: strs,
  permissionPolicyName: str,
  permissionPolicy: anyMap,
  wellKnownPolicies: WellKnownPolicies,
  tags: strMap,
  targetRoleARN: str,
  disableSessionTags: bool,
  policy: str,
});

const AccessPolicy = o({ policyARN: str, accessScope: o({ type: str, namespaces: strs }) });

const Addon = o({
  name: str,
  version: str,
  serviceAccountRoleARN: str,
  attachPolicyARNs: strs,
  attachPolicy: anyMap,
  permissionsBoundary: str,
  wellKnownPolicies: WellKnownPolicies,
  tags: strMap,
  resolveConflicts: str,
  podIdentityAssociations: z.array(PodIdentityAssociation),
  useDefaultPodIdentityAssociations: bool,
  configurationValues: str,
  namespaceConfig: o({ namespace: str }),
  publishers: strs,
  types: strs,
  owners: strs,
});

export const FargateProfileSchema = o({
  name: str,
  podExecutionRoleARN: str,
  selectors: z.array(o({ namespace: str, labels: strMap })),
  subnets: strs,
  tags: strMap,
  status: str,
});

export const ClusterConfigFileSchema = o({
  apiVersion: str,
  kind: str,
  metadata: Metadata,
  upgradePolicy: o({ supportType: str }),
  kubernetesNetworkConfig: o({ ipFamily: str, serviceIPv4CIDR: str, serviceIPv6CIDR: str }),
  autoModeConfig: o({ enabled: bool, nodeRoleARN: str, permissionsBoundaryARN: str, nodePools: strs }),
  remoteNetworkConfig: o({
    iam: o({ provider: str, roleARN: str, caBundleCert: str }),
    vpcGatewayID: str,
    remoteNodeNetworks: z.array(o({ cidrs: strs })),
    remotePodNetworks: z.array(o({ cidrs: strs })),
  }),
  iam: o({
    serviceRoleARN: str,
    serviceRolePermissionsBoundary: str,
    fargatePodExecutionRoleARN: str,
    fargatePodExecutionRolePermissionsBoundary: str,
    withOIDC: bool,
    serviceAccounts: z.array(ServiceAccount),
    podIdentityAssociations: z.array(PodIdentityAssociation),
    vpcResourceControllerPolicy: bool,
  }),
  iamIdentityMappings: z.array(
    o({
      arn: str,
      username: str,
      groups: strs,
      account: str,
      serviceName: str,
      namespace: str,
      noDuplicateARNs: bool,
    }),
  ),
  identityProviders: z.array(
    o({
      type: str,
      name: str,
      issuerURL: str,
      clientID: str,
      usernameClaim: str,
      usernamePrefix: str,
      groupsClaim: str,
      groupsPrefix: str,
      requiredClaims: strMap,
      tags: strMap,
    }),
  ),
  accessConfig: o({
    authenticationMode: str,
    bootstrapClusterCreatorAdminPermissions: bool,
    accessEntries: z.array(
      o({
        principalARN: str,
        type: str,
        kubernetesGroups: strs,
        kubernetesUsername: str,
        accessPolicies: z.array(AccessPolicy),
      }),
    ),
  }),
  vpc: ClusterVPC,
  addons: z.array(Addon),
  addonsConfig: o({ autoApplyPodIdentityAssociations: bool, disableDefaultAddons: bool }),
  privateCluster: o({ enabled: bool, skipEndpointCreation: bool, additionalEndpointServices: strs }),
  nodeGroups: z.array(NodeGroupSchema.nullable()),
  managedNodeGroups: z.array(ManagedNodeGroupSchema.nullable()),
  fargateProfiles: z.array(FargateProfileSchema),
  availabilityZones: strs,
  localZones: strs,
  cloudWatch: o({ clusterLogging: o({ enableTypes: strs, logRetentionInDays: int }) }),
  secretsEncryption: o({ keyARN: str }),
  gitops: o({ flux: o({ gitProvider: str, flags: strMap }) }),
  karpenter: o({
    version: str,
    createServiceAccount: bool,
    defaultInstanceProfile: str,
    withSpotInterruptionQueue: bool,
  }),
  outpost: o({
    controlPlaneOutpostARN: str,
    controlPlaneInstanceType: str,
    controlPlanePlacement: o({ groupName: str }),
    etcdInstanceType: str,
    etcdPlacement: o({ groupName: str }),
  }),
  controlPlaneScalingConfig: o({ tier: str }),
  zonalShiftConfig: o({ enabled: bool }),
  kubeAPIServerConfig: o({ eventTTL: str, serviceNodePortRange: o({ minPort: int, maxPort: int }) }),
  kubeSchedulerConfig: o({
    nodeResourcesFit: o({
      scoringStrategy: o({ type: str, resources: z.array(o({ name: str, weight: int })) }),
    }),
  }),
  kubeControllerManagerConfig: o({
    horizontalPodAutoscalerControllerConfig: o({ horizontalPodAutoscalerSyncPeriod: str }),
  }),
  capabilities: z.array(
    o({
      name: str,
      type: str,
      roleArn: str,
      deletePropagationPolicy: str,
      configuration: o({
        argocd: o({
          namespace: str,
          networkAccess: o({ vpceIds: strs }),
          rbacRoleMappings: z.array(o({ role: str, identities: z.array(o({ id: str, type: str })) })),
          awsIdc: o({ idcInstanceArn: str, idcRegion: str }),
        }),
      }),
      tags: strMap,
      accessPolicies: z.array(AccessPolicy),
      attachPolicyARNs: strs,
      attachPolicy: anyMap,
      permissionsBoundary: str,
    }),
  ),
});

/** A loaded config: defaults applied, so metadata, its name, region and (resolved) version are always set. */
export const ClusterConfigSchema = ClusterConfigFileSchema.extend({
  metadata: Metadata.extend({ name: str, region: str, version: str }),
});

/** A config as written in a file (everything optional). */
export type ClusterConfigFile = z.infer<typeof ClusterConfigFileSchema>;
/** The defaulted config. */
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;
export type NodeGroup = z.infer<typeof NodeGroupSchema>;
export type ManagedNodeGroup = z.infer<typeof ManagedNodeGroupSchema>;
export type FargateProfile = z.infer<typeof FargateProfileSchema>;
export type Taint = z.infer<typeof Taint>;
