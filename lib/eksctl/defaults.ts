import { defaultZones } from "./network.ts";
import type { ClusterConfigFile, ManagedNodeGroup, NodeGroup, Taint } from "./schema.ts";

// eksctl's SetClusterConfigDefaults, SetNodeGroupDefaults and SetManagedNodeGroupDefaults (eksctl-schema.md
// §2-§12), applied to a copy. Only what eksctl itself fills in is filled in, so the dry run shows the same
// defaulted config as `eksctl create cluster --dry-run`.

export const DEFAULT_VERSION = "1.34";
export const DEFAULT_INSTANCE_TYPE = "m5.large";
export const DEFAULT_NODE_COUNT = 2;
export const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

const ADDON_POLICIES = [
  "albIngress",
  "appMesh",
  "appMeshPreview",
  "autoScaler",
  "awsLoadBalancerController",
  "certManager",
  "cloudWatch",
  "ebs",
  "efs",
  "externalDNS",
  "fsx",
  "imageBuilder",
  "xRay",
] as const;

export const AMI_FAMILIES = [
  "AmazonLinux2023",
  "AmazonLinux2",
  "UbuntuPro2604",
  "Ubuntu2604",
  "UbuntuPro2404",
  "Ubuntu2404",
  "UbuntuPro2204",
  "Ubuntu2204",
  "UbuntuPro2004",
  "Ubuntu2004",
  "Bottlerocket",
  "BottlerocketFips",
  "WindowsServer2019CoreContainer",
  "WindowsServer2019FullContainer",
  "WindowsServer2022CoreContainer",
  "WindowsServer2022FullContainer",
  "WindowsServer2025CoreContainer",
  "WindowsServer2025FullContainer",
] as const;

/** eksctl matches amiFamily case-insensitively and then uses its own spelling. */
export const normaliseAmiFamily = (family: string): string =>
  AMI_FAMILIES.find((f) => f.toLowerCase() === family.toLowerCase()) ?? family;

const isOutpost = (cfg: ClusterConfigFile) => cfg.outpost?.controlPlaneOutpostARN !== undefined;
const isIPv6 = (cfg: ClusterConfigFile) => cfg.kubernetesNetworkConfig?.ipFamily?.toLowerCase() === "ipv6";

/** regionZones: the region's zones in order, for the availability zones eksctl would pick. */
export function applyClusterDefaults(cfg: ClusterConfigFile, regionZones?: readonly string[]): void {
  const hasSubnets =
    Object.keys({ ...cfg.vpc?.subnets?.private, ...cfg.vpc?.subnets?.public }).length > 0 ||
    (cfg.vpc?.controlPlaneSubnetIDs?.length ?? 0) > 0;
  if (!cfg.availabilityZones?.length && !hasSubnets && !isOutpost(cfg))
    cfg.availabilityZones = defaultZones(cfg.metadata?.region ?? "", regionZones);
  cfg.accessConfig ??= {};
  cfg.accessConfig.authenticationMode ??= isOutpost(cfg) ? "CONFIG_MAP" : "API_AND_CONFIG_MAP";
  cfg.addonsConfig ??= {};
  cfg.cloudWatch ??= {};
  cfg.cloudWatch.clusterLogging ??= {};
  const types = cfg.cloudWatch.clusterLogging.enableTypes;
  if (types?.some((t) => t === "*" || t === "all"))
    cfg.cloudWatch.clusterLogging.enableTypes = [...LOG_TYPES];
  cfg.iam ??= {};
  cfg.iam.vpcResourceControllerPolicy ??= true;
  cfg.iam.withOIDC ??= false;
  for (const sa of cfg.iam.serviceAccounts ?? []) {
    sa.metadata ??= {};
    sa.metadata.namespace ??= "default";
  }
  cfg.kubernetesNetworkConfig ??= {};
  const family = cfg.kubernetesNetworkConfig.ipFamily;
  cfg.kubernetesNetworkConfig.ipFamily =
    family === undefined || family.toLowerCase() === "ipv4"
      ? "IPv4"
      : family.toLowerCase() === "ipv6"
        ? "IPv6"
        : family;
  cfg.privateCluster ??= {};
  cfg.privateCluster.enabled ??= false;
  cfg.upgradePolicy ??= {};
  cfg.upgradePolicy.supportType ??= "";
  cfg.vpc ??= {};
  const vpc = cfg.vpc;
  vpc.autoAllocateIPv6 ??= false;
  vpc.cidr ??= "192.168.0.0/16";
  // A fully-private cluster's endpoints are implied (private only) and may not be written in the file.
  if (!cfg.privateCluster.enabled) {
    vpc.clusterEndpoints ??= { privateAccess: false, publicAccess: true };
    vpc.clusterEndpoints.privateAccess ??= false;
    vpc.clusterEndpoints.publicAccess ??= !vpc.clusterEndpoints.privateAccess;
  }
  vpc.manageSharedNodeSecurityGroupRules ??= true;
  if (!isIPv6(cfg)) {
    vpc.nat ??= {};
    if (!vpc.nat.gateway) vpc.nat.gateway = "Single";
  }
  if (cfg.autoModeConfig?.enabled) cfg.autoModeConfig.nodePools ??= ["general-purpose", "system"];
  if (cfg.karpenter) cfg.karpenter.createServiceAccount ??= false;
}

function baseDefaults(cfg: ClusterConfigFile, ng: NodeGroup | ManagedNodeGroup): void {
  const name = ng.name ?? "";
  if (!ng.ami || ng.amiFamily) ng.amiFamily = normaliseAmiFamily(ng.amiFamily ?? "AmazonLinux2023");
  ng.disableIMDSv1 ??= true;
  ng.disablePodIMDS ??= false;
  ng.instanceSelector ??= {};
  ng.iam ??= {};
  ng.iam.withAddonPolicies ??= {};
  for (const p of ADDON_POLICIES) ng.iam.withAddonPolicies[p] ??= false;
  ng.labels = {
    ...ng.labels,
    "alpha.eksctl.io/cluster-name": cfg.metadata?.name ?? "",
    "alpha.eksctl.io/nodegroup-name": name,
  };
  ng.privateNetworking ??= false;
  const ssh = (ng.ssh ??= {});
  const hasKey = Boolean(ssh.publicKeyPath || ssh.publicKey || ssh.publicKeyName);
  if (ssh.allow === undefined) ssh.allow = hasKey;
  else if (ssh.allow && !hasKey) ssh.publicKeyPath = "~/.ssh/id_rsa.pub";
  const outpost = ng.outpostARN !== undefined || isOutpost(cfg);
  if (!("launchTemplate" in ng && ng.launchTemplate)) {
    ng.volumeSize ??= 80;
    ng.volumeType ??= outpost ? "gp2" : "gp3";
  }
  if (ng.volumeType === "gp3") {
    ng.volumeIOPS ??= 3000;
    ng.volumeThroughput ??= 125;
  } else if (ng.volumeType === "io1" || ng.volumeType === "io2") ng.volumeIOPS ??= 100;
}

/** Self-managed taints may be a map `key: value:Effect`; eksctl turns them into a list. */
export const taintList = (t: NodeGroup["taints"]): Taint[] | undefined => {
  if (t === undefined || Array.isArray(t)) return t;
  return Object.entries(t).map(([key, v]) => {
    const [value, effect] = v.includes(":")
      ? [v.slice(0, v.lastIndexOf(":")), v.slice(v.lastIndexOf(":") + 1)]
      : [v, ""];
    return { key, ...(value ? { value } : {}), effect };
  });
};

export function applyNodeGroupDefaults(cfg: ClusterConfigFile, ng: NodeGroup): void {
  baseDefaults(cfg, ng);
  const mixed = ng.instancesDistribution !== undefined || Object.keys(ng.instanceSelector ?? {}).length > 0;
  ng.instanceType ??= mixed ? "mixed" : DEFAULT_INSTANCE_TYPE;
  if (ng.instancesDistribution) {
    ng.instancesDistribution.onDemandBaseCapacity ??= 0;
    ng.instancesDistribution.onDemandPercentageAboveBaseCapacity ??= 100;
    ng.instancesDistribution.spotInstancePools ??= 2;
  }
  ng.containerRuntime ??= "containerd";
  ng.securityGroups ??= {};
  ng.securityGroups.withLocal ??= true;
  ng.securityGroups.withShared ??= true;
  ng.ssh ??= {};
  const taints = taintList(ng.taints);
  if (taints) ng.taints = taints;
}

export function applyManagedDefaults(cfg: ClusterConfigFile, ng: ManagedNodeGroup): void {
  baseDefaults(cfg, ng);
  const name = ng.name ?? "";
  const picked =
    ng.instanceType !== undefined ||
    (ng.instanceTypes?.length ?? 0) > 0 ||
    ng.launchTemplate !== undefined ||
    Object.keys(ng.instanceSelector ?? {}).length > 0;
  if (!picked) ng.instanceType = DEFAULT_INSTANCE_TYPE;
  ng.securityGroups ??= {};
  ng.securityGroups.withLocal ??= null;
  ng.securityGroups.withShared ??= null;
  ng.ssh ??= {};
  ng.ssh.publicKeyPath ??= "";
  ng.tags = {
    ...ng.tags,
    "alpha.eksctl.io/nodegroup-name": name,
    "alpha.eksctl.io/nodegroup-type": "managed",
  };
}

/** Sizes of a self-managed group, set by eksctl when it builds the ASG (min = desired or 2, max = desired or min). */
export function unmanagedSizes(ng: NodeGroup): { min: number; max: number; desired: number } {
  const min = ng.minSize ?? ng.desiredCapacity ?? DEFAULT_NODE_COUNT;
  const max = ng.maxSize ?? Math.max(ng.desiredCapacity ?? min, min);
  const desired = ng.desiredCapacity ?? min;
  return { min, max, desired };
}
