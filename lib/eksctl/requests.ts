import type {
  AssociateAccessPolicyRequest,
  CreateAccessEntryRequest,
  CreateAddonRequest,
  CreateClusterRequest,
  CreateFargateProfileRequest,
  CreateNodegroupRequest,
  CreatePodIdentityAssociationRequest,
  LogType,
  ResolveConflicts,
} from "@aws-sdk/client-eks";
import { type ClusterNetwork, clusterNetwork } from "./network.ts";
import { managedRequest, type RequestContext, unmanagedRequest } from "./requests-nodegroups.ts";
import type { ClusterConfigFile } from "./schema.ts";

// The EKS API requests that create what a defaulted ClusterConfig describes, in the order eksctl makes
// them. IAM roles eksctl would create get placeholder ARNs named like eksctl's stacks; ARNs the file gives
// are passed as given.

export interface ClusterRequests {
  createCluster: CreateClusterRequest;
  nodegroups: CreateNodegroupRequest[];
  fargateProfiles: CreateFargateProfileRequest[];
  addons: CreateAddonRequest[];
  accessEntries: { entry: CreateAccessEntryRequest; policies: AssociateAccessPolicyRequest[] }[];
  podIdentityAssociations: CreatePodIdentityAssociationRequest[];
  iamIdentityMappings: { arn: string; username?: string; groups?: string[]; account?: string }[];
  iamServiceAccounts: { namespace: string; name: string; roleArn: string; attachPolicyARNs?: string[] }[];
}

export interface RequestOptions {
  /**
   * The caller's account, for the placeholder role ARNs (default 000000000000). When given, pod identity
   * roles the file names in another account are named in this one (EKS requires the cluster's account).
   */
  account?: string;
  /** The region's zones in order (Kumulus maps the i-th subnet to the i-th zone); default `<region>a/b/c`. */
  regionZones?: readonly string[];
}

/** The default add-ons eksctl installs as EKS add-ons when the file does not list them. */
export const DEFAULT_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "metrics-server"] as const;
/** Created before the node groups, so nodes come up with networking; the rest after. */
const EARLY_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent"];

const partitionOf = (region: string) =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

const isOutpost = (cfg: ClusterConfigFile) => cfg.outpost?.controlPlaneOutpostARN !== undefined;

function createCluster(ctx: RequestContext, net: ClusterNetwork): CreateClusterRequest {
  const { cfg, account, partition } = ctx;
  const name = cfg.metadata?.name ?? "";
  const vpc = cfg.vpc ?? {};
  const privateOnly = cfg.privateCluster?.enabled === true;
  const logTypes = cfg.cloudWatch?.clusterLogging?.enableTypes ?? [];
  const auto = cfg.autoModeConfig?.enabled === true;
  const sgs = vpc.controlPlaneSecurityGroupIDs ?? (vpc.securityGroup ? [vpc.securityGroup] : undefined);
  const out = cfg.outpost;
  return {
    name,
    version: cfg.metadata?.version,
    roleArn:
      cfg.iam?.serviceRoleARN ?? `arn:${partition}:iam::${account}:role/eksctl-${name}-cluster-ServiceRole`,
    resourcesVpcConfig: {
      subnetIds: net.subnetIds,
      ...(sgs?.length ? { securityGroupIds: [...sgs] } : {}),
      endpointPublicAccess: privateOnly ? false : (vpc.clusterEndpoints?.publicAccess ?? true),
      endpointPrivateAccess: privateOnly ? true : (vpc.clusterEndpoints?.privateAccess ?? false),
      ...(vpc.publicAccessCIDRs?.length ? { publicAccessCidrs: [...vpc.publicAccessCIDRs] } : {}),
    },
    kubernetesNetworkConfig: {
      ipFamily: cfg.kubernetesNetworkConfig?.ipFamily === "IPv6" ? "ipv6" : "ipv4",
      ...(cfg.kubernetesNetworkConfig?.serviceIPv4CIDR
        ? { serviceIpv4Cidr: cfg.kubernetesNetworkConfig.serviceIPv4CIDR }
        : {}),
      ...(auto ? { elasticLoadBalancing: { enabled: true } } : {}),
    },
    ...(logTypes.length
      ? { logging: { clusterLogging: [{ types: logTypes as LogType[], enabled: true }] } }
      : {}),
    ...(cfg.secretsEncryption?.keyARN
      ? { encryptionConfig: [{ resources: ["secrets"], provider: { keyArn: cfg.secretsEncryption.keyARN } }] }
      : {}),
    accessConfig: {
      authenticationMode: cfg.accessConfig?.authenticationMode as "API" | "API_AND_CONFIG_MAP" | "CONFIG_MAP",
      ...(cfg.accessConfig?.bootstrapClusterCreatorAdminPermissions !== undefined
        ? {
            bootstrapClusterCreatorAdminPermissions: cfg.accessConfig.bootstrapClusterCreatorAdminPermissions,
          }
        : {}),
    },
    // eksctl installs vpc-cni, kube-proxy and coredns as EKS add-ons; on Outposts add-ons are not
    // available and EKS's self-managed ones stay.
    bootstrapSelfManagedAddons: isOutpost(cfg),
    tags: {
      ...cfg.metadata?.tags,
      "alpha.eksctl.io/cluster-name": name,
      "eksctl.cluster.k8s.io/v1alpha1/cluster-name": name,
    },
    ...(cfg.upgradePolicy?.supportType
      ? { upgradePolicy: { supportType: cfg.upgradePolicy.supportType as "STANDARD" | "EXTENDED" } }
      : {}),
    ...(cfg.zonalShiftConfig ? { zonalShiftConfig: { enabled: cfg.zonalShiftConfig.enabled ?? false } } : {}),
    ...(cfg.remoteNetworkConfig
      ? {
          remoteNetworkConfig: {
            remoteNodeNetworks: cfg.remoteNetworkConfig.remoteNodeNetworks?.map((n) => ({ cidrs: n.cidrs })),
            remotePodNetworks: cfg.remoteNetworkConfig.remotePodNetworks?.map((n) => ({ cidrs: n.cidrs })),
          },
        }
      : {}),
    ...(auto
      ? {
          computeConfig: {
            enabled: true,
            nodePools: cfg.autoModeConfig?.nodePools ?? [],
            ...(cfg.autoModeConfig?.nodeRoleARN ? { nodeRoleArn: cfg.autoModeConfig.nodeRoleARN } : {}),
          },
          storageConfig: { blockStorage: { enabled: true } },
        }
      : {}),
    ...(out?.controlPlaneOutpostARN
      ? {
          outpostConfig: {
            outpostArns: [out.controlPlaneOutpostARN],
            controlPlaneInstanceType: out.controlPlaneInstanceType ?? "m5d.large",
            ...(out.controlPlanePlacement?.groupName
              ? { controlPlanePlacement: { groupName: out.controlPlanePlacement.groupName } }
              : {}),
          },
        }
      : {}),
    ...(cfg.controlPlaneScalingConfig?.tier
      ? {
          controlPlaneScalingConfig: {
            tier: cfg.controlPlaneScalingConfig.tier as NonNullable<
              CreateClusterRequest["controlPlaneScalingConfig"]
            >["tier"],
          },
        }
      : {}),
  };
}

function addons(ctx: RequestContext): CreateAddonRequest[] {
  const { cfg, account, partition } = ctx;
  const name = cfg.metadata?.name ?? "";
  if (isOutpost(cfg)) return [];
  const listed = (cfg.addons ?? []).map((a) => a.name ?? "");
  const region = cfg.metadata?.region ?? "";
  const isolated = /^(cn-|us-gov-|us-iso)/.test(region);
  const defaults =
    cfg.addonsConfig?.disableDefaultAddons || cfg.autoModeConfig?.enabled
      ? []
      : DEFAULT_ADDONS.filter((a) => !listed.includes(a) && !(a === "metrics-server" && isolated));
  const out: CreateAddonRequest[] = [
    ...(cfg.addons ?? []).map((a): CreateAddonRequest => {
      const irsa =
        a.attachPolicyARNs?.length ||
        a.attachPolicy ||
        Object.values(a.wellKnownPolicies ?? {}).some(Boolean);
      const role =
        a.serviceAccountRoleARN ??
        (irsa ? `arn:${partition}:iam::${account}:role/eksctl-${name}-addon-${a.name}-Role1` : undefined);
      return {
        clusterName: name,
        addonName: a.name ?? "",
        ...(a.version && a.version !== "latest" ? { addonVersion: a.version.replace(/^v?/, "v") } : {}),
        ...(role ? { serviceAccountRoleArn: role } : {}),
        ...(a.resolveConflicts
          ? { resolveConflicts: a.resolveConflicts.toUpperCase() as ResolveConflicts }
          : {}),
        ...(a.configurationValues ? { configurationValues: a.configurationValues } : {}),
        ...(a.tags ? { tags: { ...a.tags } } : {}),
        ...(a.podIdentityAssociations?.length
          ? {
              podIdentityAssociations: a.podIdentityAssociations.map((p) => ({
                serviceAccount: p.serviceAccountName ?? "",
                roleArn:
                  p.roleARN ??
                  `arn:${partition}:iam::${account}:role/eksctl-${name}-addon-${a.name}-podidentityrole-${p.serviceAccountName}`,
              })),
            }
          : {}),
      };
    }),
    ...defaults.map((addonName) => ({ clusterName: name, addonName })),
  ];
  const early = (r: CreateAddonRequest) => (EARLY_ADDONS.includes(r.addonName ?? "") ? 0 : 1);
  return out.sort((a, b) => early(a) - early(b));
}

function accessEntries(ctx: RequestContext): ClusterRequests["accessEntries"] {
  const cluster = ctx.cfg.metadata?.name ?? "";
  return (ctx.cfg.accessConfig?.accessEntries ?? []).map((e) => ({
    entry: {
      clusterName: cluster,
      // EKS wants node (EC2, Fargate, hybrid) principals in the cluster's account; STANDARD ones may be anywhere.
      principalArn:
        (e.type ?? "STANDARD") === "STANDARD" ? e.principalARN : sameAccountRole(e.principalARN ?? "", ctx),
      ...(e.kubernetesGroups?.length ? { kubernetesGroups: [...e.kubernetesGroups] } : {}),
      ...(e.kubernetesUsername ? { username: e.kubernetesUsername } : {}),
      ...(e.type ? { type: e.type } : {}),
    },
    policies: (e.accessPolicies ?? []).map((p) => ({
      clusterName: cluster,
      principalArn: e.principalARN,
      policyArn: p.policyARN,
      accessScope: {
        type: p.accessScope?.type as "cluster" | "namespace",
        ...(p.accessScope?.namespaces?.length ? { namespaces: [...p.accessScope.namespaces] } : {}),
      },
    })),
  }));
}

/**
 * EKS wants pod identity roles and node principals in the cluster's account. The account in a file's role
 * ARN is usually a placeholder (eksctl's examples use 111122223333), so when the caller's account is known
 * the same role is named in it; targetRoleArn is cross-account by design and stays as written.
 */
function sameAccountRole(arn: string, ctx: RequestContext): string {
  if (!ctx.rehome) return arn;
  const m = /^arn:([^:]+):iam::(\d{12}):(role\/.+)$/.exec(arn);
  return m && m[2] !== ctx.account ? `arn:${m[1]}:iam::${ctx.account}:${m[3]}` : arn;
}

function podIdentity(ctx: RequestContext): CreatePodIdentityAssociationRequest[] {
  const { cfg, account, partition } = ctx;
  const cluster = cfg.metadata?.name ?? "";
  return (cfg.iam?.podIdentityAssociations ?? []).map((p) => ({
    clusterName: cluster,
    namespace: p.namespace,
    serviceAccount: p.serviceAccountName,
    roleArn: p.roleARN
      ? sameAccountRole(p.roleARN, ctx)
      : `arn:${partition}:iam::${account}:role/${p.roleName ?? `eksctl-${cluster}-podidentityrole-${p.namespace}-${p.serviceAccountName}`}`,
    ...(p.targetRoleARN ? { targetRoleArn: p.targetRoleARN } : {}),
    ...(p.disableSessionTags !== undefined ? { disableSessionTags: p.disableSessionTags } : {}),
    ...(p.policy ? { policy: p.policy } : {}),
    ...(p.tags ? { tags: { ...p.tags } } : {}),
  }));
}

function identityMappings(ctx: RequestContext): ClusterRequests["iamIdentityMappings"] {
  const { cfg, account, partition } = ctx;
  return (cfg.iamIdentityMappings ?? []).map((m) => {
    if (m.account !== undefined) return { arn: "", account: m.account };
    // eksctl's service mappings: the service's linked role, under its fixed username.
    if (m.serviceName === "emr-containers")
      return {
        arn: `arn:${partition}:iam::${account}:role/AWSServiceRoleForAmazonEMRContainers`,
        username: "emr-containers",
      };
    return {
      arn: m.arn ?? "",
      ...(m.username ? { username: m.username } : {}),
      ...(m.groups?.length ? { groups: [...m.groups] } : {}),
    };
  });
}

function serviceAccounts(ctx: RequestContext): ClusterRequests["iamServiceAccounts"] {
  const { cfg, account, partition } = ctx;
  const cluster = cfg.metadata?.name ?? "";
  return (cfg.iam?.serviceAccounts ?? []).map((sa) => {
    const ns = sa.metadata?.namespace ?? "default";
    const name = sa.metadata?.name ?? "";
    const role =
      sa.attachRoleARN ??
      `arn:${partition}:iam::${account}:role/${sa.roleName ?? `eksctl-${cluster}-addon-iamserviceaccount-${ns}-${name}-Role1`}`;
    return {
      namespace: ns,
      name,
      roleArn: role,
      ...(sa.attachPolicyARNs?.length ? { attachPolicyARNs: [...sa.attachPolicyARNs] } : {}),
    };
  });
}

function fargateProfiles(ctx: RequestContext): CreateFargateProfileRequest[] {
  const { cfg, account, partition } = ctx;
  const cluster = cfg.metadata?.name ?? "";
  const privateSubnets = ctx.net.subnetIds;
  return (cfg.fargateProfiles ?? []).map((fp) => ({
    clusterName: cluster,
    fargateProfileName: fp.name,
    podExecutionRoleArn:
      fp.podExecutionRoleARN ??
      cfg.iam?.fargatePodExecutionRoleARN ??
      `arn:${partition}:iam::${account}:role/eksctl-${cluster}-cluster-FargatePodExecutionRole`,
    subnets: fp.subnets?.length ? [...fp.subnets] : [...privateSubnets],
    selectors: (fp.selectors ?? []).map((s) => ({
      namespace: s.namespace,
      ...(s.labels && Object.keys(s.labels).length ? { labels: { ...s.labels } } : {}),
    })),
    ...(fp.tags ? { tags: { ...fp.tags } } : {}),
  }));
}

/** The EKS API requests that create what a defaulted config describes (shapes of @aws-sdk/client-eks inputs). */
export function clusterRequests(cfg: ClusterConfigFile, opts: RequestOptions = {}): ClusterRequests {
  const region = cfg.metadata?.region ?? "";
  const net = clusterNetwork(cfg, opts.regionZones);
  const ctx: RequestContext = {
    cfg,
    net,
    account: opts.account ?? "000000000000",
    rehome: opts.account !== undefined,
    partition: partitionOf(region),
    ...(opts.regionZones ? { regionZones: opts.regionZones } : {}),
  };
  return {
    createCluster: createCluster(ctx, net),
    nodegroups: [
      ...(cfg.managedNodeGroups ?? []).flatMap((ng) => (ng ? [managedRequest(ctx, ng)] : [])),
      ...(cfg.nodeGroups ?? []).flatMap((ng) => (ng ? [unmanagedRequest(ctx, ng)] : [])),
    ],
    fargateProfiles: fargateProfiles(ctx),
    addons: addons(ctx),
    accessEntries: accessEntries(ctx),
    podIdentityAssociations: podIdentity(ctx),
    iamIdentityMappings: identityMappings(ctx),
    iamServiceAccounts: serviceAccounts(ctx),
  };
}
