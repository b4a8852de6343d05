import { LOG_TYPES } from "./defaults.ts";
import { fail } from "./errors.ts";
import type { ClusterConfigFile } from "./schema.ts";

// eksctl's ValidateClusterConfig and friends (eksctl-schema.md §2-§11), same messages. `raw` is the file as
// written: a few rules are about what the user set, not what defaults filled in.

const RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653];
const ARN = /^arn:[^:]+:[^:]*:[^:]*:[^:]*:.+$/;
const NODE_POOLS = ["general-purpose", "system"];
const ACCESS_TYPES = ["STANDARD", "EC2", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX"];

export function validateRaw(raw: ClusterConfigFile): void {
  if (raw.privateCluster?.enabled && raw.vpc?.clusterEndpoints)
    fail(
      "vpc.clusterEndpoints cannot be set for a fully-private cluster (privateCluster.enabled) as the endpoint access defaults to private-only",
    );
  if (raw.kubernetesNetworkConfig?.ipFamily?.toLowerCase() === "ipv6" && raw.vpc?.nat)
    fail("setting NAT is not supported with IPv6");
  for (const [i, ng] of (raw.nodeGroups ?? []).entries())
    if (!ng) fail(`invalid ClusterConfig: nodeGroups[${i}] is not set`);
  for (const [i, ng] of (raw.managedNodeGroups ?? []).entries())
    if (!ng) fail(`invalid ClusterConfig: managedNodeGroups[${i}] is not set`);
}

function validateVpc(cfg: ClusterConfigFile): void {
  const vpc = cfg.vpc ?? {};
  const zones = cfg.availabilityZones;
  if (zones && zones.length > 0 && zones.length < 2)
    fail(`only ${zones.length} zone(s) specified [${zones.join(" ")}], 2 are required (can be non-unique)`);
  const hasSubnets =
    Object.keys(vpc.subnets?.private ?? {}).length + Object.keys(vpc.subnets?.public ?? {}).length > 0;
  if (hasSubnets && (zones?.length ?? 0) > 0)
    fail("vpc.subnets and availabilityZones cannot be set at the same time");
  if (vpc.clusterEndpoints && !vpc.clusterEndpoints.publicAccess && !vpc.clusterEndpoints.privateAccess)
    fail("Kubernetes API access must have one of public or private clusterEndpoints enabled");
  if (vpc.securityGroup && (vpc.controlPlaneSecurityGroupIDs?.length ?? 0) > 0)
    fail("only one of vpc.securityGroup and vpc.controlPlaneSecurityGroupIDs can be specified");
  if ((vpc.controlPlaneSubnetIDs?.length ?? 0) > 0 && vpc.controlPlaneOnPrivateSubnets)
    fail("only one of vpc.controlPlaneSubnetIDs and vpc.controlPlaneOnPrivateSubnets can be specified");
  if (vpc.manageSharedNodeSecurityGroupRules === false && !vpc.sharedNodeSecurityGroup)
    fail("vpc.manageSharedNodeSecurityGroupRules must be enabled when using eksctl-managed security groups");
  if (vpc.id && vpc.hostnameType) fail("vpc.hostnameType is not supported with a pre-existing VPC");
  if (vpc.id && (cfg.localZones?.length ?? 0) > 0)
    fail("localZones are not supported with a pre-existing VPC");
  if (vpc.nat?.gateway && !["HighlyAvailable", "Single", "Disable"].includes(vpc.nat.gateway))
    fail(
      `invalid NAT gateway mode "${vpc.nat.gateway}", valid modes are HighlyAvailable, Single and Disable`,
    );
  const ipv6 = cfg.kubernetesNetworkConfig?.ipFamily === "IPv6";
  if (!ipv6 && (vpc.ipv6Cidr || vpc.ipv6Pool))
    fail("Ipv6Cidr and Ipv6CidrPool are only supported when IPFamily is set to IPv6");
  if (!ipv6 && (vpc.extraIPv6CIDRs?.length ?? 0) > 0)
    fail("cannot specify vpc.extraIPv6CIDRs with an IPv4 cluster");
  for (const cidr of [...(vpc.extraCIDRs ?? []), ...(vpc.publicAccessCIDRs ?? [])])
    if (!/^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+:[0-9a-fA-F:]*\/\d{1,3})$/.test(cidr))
      fail(`invalid CIDR address: ${cidr}`);
}

function validateNetwork(cfg: ClusterConfigFile): void {
  const net = cfg.kubernetesNetworkConfig ?? {};
  if (net.ipFamily !== "IPv4" && net.ipFamily !== "IPv6")
    fail(`invalid value "${net.ipFamily}" for ipFamily; allowed are IPv4 and IPv6`);
  if (net.ipFamily !== "IPv6") return;
  if (net.serviceIPv4CIDR) fail("service IPv4 CIDR is not supported with IPv6");
  if (cfg.autoModeConfig?.enabled) return;
  const names = new Set((cfg.addons ?? []).map((a) => a.name));
  const missing = ["vpc-cni", "coredns", "kube-proxy"].filter((n) => !names.has(n));
  if (missing.length > 0)
    fail(
      `the default core addons must be defined for IPv6; missing addon(s): ${missing.join(", ")}; either define them or use EKS Auto Mode`,
    );
  if (!cfg.iam?.withOIDC && !names.has("eks-pod-identity-agent"))
    fail(
      "either pod identity or oidc needs to be enabled if IPv6 is set; set either one or use EKS Auto Mode",
    );
}

function validateIam(cfg: ClusterConfigFile): void {
  const sas = cfg.iam?.serviceAccounts ?? [];
  if (sas.length > 0 && !cfg.iam?.withOIDC)
    fail("iam.withOIDC must be enabled explicitly for iam.serviceAccounts to be created");
  const seen = new Set<string>();
  for (const [i, sa] of sas.entries()) {
    const path = `iam.serviceAccounts[${i}]`;
    if (!sa.metadata?.name) fail(`${path}.name must be set`);
    const key = `${sa.metadata?.namespace}/${sa.metadata?.name}`;
    if (seen.has(key)) fail(`<namespace>/<name> of ${path} "${key}" is not unique`);
    seen.add(key);
    const wellKnown = Object.values(sa.wellKnownPolicies ?? {}).some(Boolean);
    if (!wellKnown && !sa.attachPolicyARNs?.length && !sa.attachRoleARN && !sa.attachPolicy)
      fail(
        `${path}.wellKnownPolicies, ${path}.attachPolicyARNs,${path}.attachRoleARN  or ${path}.attachPolicy must be set`,
      );
  }
  const pias = cfg.iam?.podIdentityAssociations ?? [];
  if (
    pias.length > 0 &&
    !(cfg.addons ?? []).some((a) => a.name === "eks-pod-identity-agent") &&
    !cfg.autoModeConfig?.enabled
  )
    fail(
      'the "eks-pod-identity-agent" addon must be installed to create pod identity associations; please add "eks-pod-identity-agent" addon to the config file',
    );
  for (const [i, p] of pias.entries()) {
    if (!p.namespace) fail(`iam.podIdentityAssociations[${i}].namespace must be set`);
    if (!p.serviceAccountName) fail(`iam.podIdentityAssociations[${i}].serviceAccountName must be set`);
  }
  for (const m of cfg.iamIdentityMappings ?? []) {
    if (m.serviceName !== undefined) {
      if (m.arn || m.username || m.groups?.length)
        fail("cannot use arn, username, and groups with serviceName");
      if (!m.namespace) fail("namespace is required when using serviceName");
    } else if (m.namespace !== undefined) fail("serviceName is required when using namespace");
    if (m.account !== undefined && (m.arn || m.username || m.groups?.length || m.serviceName))
      fail("account cannot be configured with any other options");
  }
  for (const [k, idp] of (cfg.identityProviders ?? []).entries())
    for (const field of ["name", "clientID", "issuerURL"] as const)
      if (!idp[field]) fail(`identityProviders[${k}] is invalid: ${field} must be set and non-empty`);
}

function validateAccess(cfg: ClusterConfigFile): void {
  const access = cfg.accessConfig ?? {};
  const entries = access.accessEntries ?? [];
  if (entries.length === 0) return;
  if (access.authenticationMode === "CONFIG_MAP")
    fail(
      "accessConfig.authenticationMode must be set to either API_AND_CONFIG_MAP or API to use access entries",
    );
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    const path = `accessEntries[${i}]`;
    if (!e.principalARN) fail(`${path}.principalARN must be set to a valid AWS ARN`);
    if (!ARN.test(e.principalARN ?? "")) fail(`invalid ARN "${e.principalARN}": arn: invalid prefix`);
    const type = e.type ?? "STANDARD";
    if (!ACCESS_TYPES.includes(type)) fail(`invalid access entry type "${type}" for ${path}`);
    if (type !== "STANDARD") {
      if (e.kubernetesGroups?.length || e.kubernetesUsername)
        fail(
          `cannot specify ${path}.kubernetesGroups nor ${path}.kubernetesUsername when type is set to ${type}`,
        );
      if (e.accessPolicies?.length) fail(`cannot specify ${path}.accessPolicies when type is set to ${type}`);
    }
    for (const [j, p] of (e.accessPolicies ?? []).entries()) {
      const ppath = `${path}.accessPolicies[${j}]`;
      if (!p.policyARN || !ARN.test(p.policyARN)) fail(`${ppath}.policyARN must be set to a valid AWS ARN`);
      if (!p.policyARN!.split(":")[5]?.startsWith("cluster-access-policy/"))
        fail(`${ppath}.policyARN must be a cluster-access-policy resource`);
      const scope = p.accessScope?.type;
      if (!scope) fail(`${ppath}.accessScope.type must be set to either "namespace" or "cluster"`);
      if (scope === "cluster" && p.accessScope?.namespaces?.length)
        fail(`cannot specify ${ppath}.accessScope.namespaces when accessScope is set to cluster`);
      else if (scope === "namespace" && !p.accessScope?.namespaces?.length)
        fail(`at least one namespace must be specified when accessScope is set to namespace: (${ppath})`);
      else if (scope !== "cluster" && scope !== "namespace")
        fail(`invalid access scope type "${scope}" for ${ppath}`);
    }
    if (seen.has(e.principalARN!))
      fail(`duplicate access entry ${path} with principal ARN "${e.principalARN}"`);
    seen.add(e.principalARN!);
  }
}

function validateAddons(cfg: ClusterConfigFile): void {
  for (const a of cfg.addons ?? []) {
    const bad = (msg: string) => fail(`invalid configuration for "${a.name ?? ""}" addon: ${msg}`);
    if (!a.name) bad("name is required");
    const irsa = [
      Object.values(a.wellKnownPolicies ?? {}).some(Boolean),
      !!a.serviceAccountRoleARN,
      !!a.attachPolicyARNs?.length,
      !!a.attachPolicy,
    ].filter(Boolean).length;
    if (irsa > 1)
      bad(
        "at most one of wellKnownPolicies, serviceAccountRoleARN, attachPolicyARNs and attachPolicy can be specified",
      );
    if (a.useDefaultPodIdentityAssociations && a.podIdentityAssociations?.length)
      fail(
        `cannot specify both addon.useDefaultPodIdentityAssociations and addon.podIdentityAssociations (addon: ${a.name})`,
      );
    if (a.configurationValues !== undefined) {
      const text = a.configurationValues.trim();
      const looksJson = text.startsWith("{") || text.startsWith("[");
      if (looksJson) {
        try {
          JSON.parse(text);
        } catch {
          bad(
            `configurationValues: "${a.configurationValues}" is not valid, supported format(s) are: JSON and YAML`,
          );
        }
      }
    }
  }
}

function validateOthers(cfg: ClusterConfigFile): void {
  const logging = cfg.cloudWatch?.clusterLogging ?? {};
  for (const [i, t] of (logging.enableTypes ?? []).entries())
    if (!(LOG_TYPES as readonly string[]).includes(t))
      fail(`log type "${t}" (cloudWatch.clusterLogging.enableTypes[${i}]) is unknown`);
  if (logging.logRetentionInDays !== undefined) {
    if (!logging.enableTypes?.length)
      fail("cannot set cloudWatch.clusterLogging.logRetentionInDays without enabling log types");
    if (!RETENTION.includes(logging.logRetentionInDays))
      fail(
        `invalid value ${logging.logRetentionInDays} for logRetentionInDays; supported values are [${RETENTION.join(" ")}]`,
      );
  }
  if (cfg.secretsEncryption) {
    const arn = cfg.secretsEncryption.keyARN;
    if (!arn) fail("field secretsEncryption.keyARN is required for enabling secrets encryption");
    if (!ARN.test(arn!)) fail(`invalid ARN in secretsEncryption.keyARN: "${arn}": arn: invalid prefix`);
  }
  const support = cfg.upgradePolicy?.supportType;
  if (support && support !== "STANDARD" && support !== "EXTENDED")
    fail('upgradePolicy.supportType must be either "STANDARD" or "EXTENDED"');
  const rollback = cfg.metadata?.rollbackConfig?.timeoutMinutes;
  if (rollback !== undefined && (rollback < 120 || rollback > 10080))
    fail(`metadata.rollbackConfig.timeoutMinutes must be between 120 and 10080, got ${rollback}`);
  if (cfg.gitops?.flux) {
    if (!cfg.gitops.flux.gitProvider) fail("gitops.flux.gitProvider must be set");
    if (!cfg.gitops.flux.flags || Object.keys(cfg.gitops.flux.flags).length === 0)
      fail("gitops.flux.flags must be set");
  }
  if (cfg.karpenter) {
    const v = cfg.karpenter.version;
    if (!v)
      fail(
        "failed to validate Karpenter config: version field is required if installing Karpenter is enabled",
      );
    const [maj, min] = v!.replace(/^v/, "").split(".").map(Number);
    if ((maj ?? 0) === 0 && (min ?? 0) < 20)
      fail("failed to validate Karpenter config: minimum supported version is v0.20.0");
    if (!cfg.iam?.withOIDC)
      fail("failed to validate Karpenter config: iam.withOIDC must be enabled with Karpenter");
  }
  const auto = cfg.autoModeConfig;
  if (auto && !auto.enabled && (auto.nodeRoleARN || auto.permissionsBoundaryARN || auto.nodePools))
    fail(
      "cannot set autoModeConfig.nodeRoleARN, autoModeConfig.permissionBoundaryARN, or autoModeConfig.nodePools when Auto Mode is disabled",
    );
  if (auto?.enabled) {
    const seen = new Set<string>();
    for (const np of auto.nodePools ?? []) {
      if (seen.has(np)) fail(`found duplicate node pool: "${np}"`);
      if (!NODE_POOLS.includes(np)) fail(`invalid NodePool "${np}"`);
      seen.add(np);
    }
    if ((cfg.nodeGroups?.length ?? 0) + (cfg.managedNodeGroups?.length ?? 0) > 0)
      fail(
        "creation of managed or self-managed nodegroups is not supported during cluster creation when Auto Mode is enabled; please create them post cluster creation using `eksctl create nodegroup` after creating core networking addons in the cluster",
      );
  }
  for (const c of cfg.capabilities ?? []) {
    if (!c.name) fail("capability name is required");
    if (!c.type) fail("capability type is required");
  }
}

function validateFargate(cfg: ClusterConfigFile): void {
  for (const fp of cfg.fargateProfiles ?? []) {
    if (!fp.name) fail("invalid Fargate profile: empty name");
    if (fp.name!.startsWith("eks-"))
      fail(`invalid Fargate profile "${fp.name}": name should NOT start with "eks-"`);
    if (!fp.selectors?.length) fail(`invalid Fargate profile "${fp.name}": no profile selector`);
    for (const [i, s] of fp.selectors!.entries())
      if (!s.namespace)
        fail(
          `invalid Fargate profile "${fp.name}": invalid profile selector at index #${i}: empty namespace`,
        );
  }
}

function validateNames(cfg: ClusterConfigFile): void {
  const seen = new Set<string>();
  const groups = [
    ...(cfg.nodeGroups ?? []).map((ng, i) => [`nodeGroups[${i}]`, ng?.name] as const),
    ...(cfg.managedNodeGroups ?? []).map((ng, i) => [`managedNodeGroups[${i}]`, ng?.name] as const),
  ];
  for (const [path, name] of groups) {
    if (!name) continue;
    if (seen.has(name)) fail(`${path}.name "${name}" is not unique`);
    seen.add(name);
  }
}

/** eksctl's rules for a control plane on AWS Outposts (a local cluster). */
function validateOutpost(cfg: ClusterConfigFile): void {
  if (!cfg.outpost) return;
  if (!cfg.outpost.controlPlaneOutpostARN) fail("outpost.controlPlaneOutpostARN is required for Outposts");
  if (cfg.accessConfig?.bootstrapClusterCreatorAdminPermissions === false)
    fail("accessConfig.BootstrapClusterCreatorAdminPermissions can't be set to false on Outposts");
  if (cfg.kubernetesNetworkConfig?.ipFamily === "IPv6") fail("IPv6 is not supported on Outposts");
  if (cfg.addons?.length) fail("Addons are not supported on Outposts");
  if (cfg.identityProviders?.length) fail("Identity Providers are not supported on Outposts");
  if (cfg.fargateProfiles?.length) fail("Fargate is not supported on Outposts");
  if (cfg.karpenter) fail("Karpenter is not supported on Outposts");
  if (cfg.secretsEncryption) fail("KMS encryption is not supported on Outposts");
  if (cfg.gitops) fail("GitOps is not supported on Outposts");
  if (cfg.iam?.withOIDC) fail("iam.withOIDC is not supported on Outposts");
  if (cfg.vpc?.autoAllocateIPv6) fail("autoAllocateIPv6 is not supported on Outposts");
  if (cfg.vpc?.publicAccessCIDRs?.length) fail("publicAccessCIDRs is not supported on Outposts");
  if (cfg.autoModeConfig?.enabled) fail("Auto Mode is not supported on Outposts");
}

export function validateCluster(cfg: ClusterConfigFile): void {
  validateOutpost(cfg);
  validateVpc(cfg);
  validateNetwork(cfg);
  validateIam(cfg);
  validateAccess(cfg);
  validateAddons(cfg);
  validateFargate(cfg);
  validateOthers(cfg);
  validateNames(cfg);
}
