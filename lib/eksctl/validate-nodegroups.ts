import { AMI_FAMILIES, DEFAULT_NODE_COUNT, taintList } from "./defaults.ts";
import { fail } from "./errors.ts";
import type { ClusterConfigFile, ManagedNodeGroup, NodeGroup, Taint } from "./schema.ts";

// eksctl's ValidateNodeGroup / ValidateManagedNodeGroup / validateNodeGroupBase (eksctl-schema.md §4-§6),
// with the same messages.

const TAINT_EFFECTS = ["NoSchedule", "NoExecute", "PreferNoSchedule"];
const RESERVED_PREFIXES = ["kubernetes.io/", "k8s.io/"];
// The labels the kubelet may set on itself (kubeletapis.IsKubeletLabel), which eksctl lets through.
const KUBELET_LABELS = [
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
];
const KUBELET_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];
const inDomain = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);
const isKubeletLabel = (key: string, ns: string) =>
  KUBELET_LABELS.includes(key) || KUBELET_NAMESPACES.some((d) => inDomain(ns, d));
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const NAME_ALLOWED = /[^a-zA-Z0-9-]+/;

function checkLabels(labels: Record<string, string>): void {
  const reserved: string[] = [];
  for (const key of Object.keys(labels)) {
    const parts = key.split("/");
    if (parts.length > 2)
      fail(`node label key "${key}" is of invalid format, can only use one '/' separator`);
    const name = parts.at(-1)!;
    if (!LABEL_NAME.test(name) || name.length > 63)
      fail(
        `label "${key}" is invalid - [name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')]`,
      );
    if (parts.length !== 2) continue;
    const ns = parts[0]!;
    const reservedNs = inDomain(ns, "kubernetes.io") || inDomain(ns, "k8s.io");
    if (reservedNs && !isKubeletLabel(key, ns)) reserved.push(key);
  }
  if (reserved.length > 0)
    fail(
      `the following nodegroup labels are disallowed as they have reserved prefixes [${RESERVED_PREFIXES.join(", ")}]: [${reserved.join(" ")}]`,
    );
}

function checkTaints(taints: Taint[]): void {
  for (const t of taints) {
    if (!t.key) fail("taint key must be non-empty");
    if (!TAINT_EFFECTS.includes(t.effect ?? ""))
      fail(
        `invalid taint effect: ${t.effect ?? ""}, unsupported taint effect. Valid taint effects are: NoSchedule, NoExecute and PreferNoSchedule`,
      );
  }
}

function checkVolumes(path: string, ng: NodeGroup | ManagedNodeGroup): void {
  const type = ng.volumeType;
  if (ng.volumeIOPS !== undefined) {
    if (type !== "io1" && type !== "io2" && type !== "gp3")
      fail(`${path}.volumeIOPS is only supported for io1, io2 and gp3 volume types`);
    const [lo, hi] = type === "gp3" ? [3000, 16000] : type === "io1" ? [100, 64000] : [100, 256000];
    if (ng.volumeIOPS < lo || ng.volumeIOPS > hi)
      fail(`value for ${path}.volumeIOPS must be within range ${lo}-${hi}`);
  }
  if (ng.volumeThroughput !== undefined) {
    if (type !== "gp3") fail(`${path}.volumeThroughput is only supported for gp3 volume type`);
    if (ng.volumeThroughput < 125 || ng.volumeThroughput > 1000)
      fail(`value for ${path}.volumeThroughput must be within range 125-1000`);
  }
  if (ng.volumeKmsKeyID !== undefined && ng.volumeEncrypted !== true)
    fail(`${path}.volumeKmsKeyID can not be set without ${path}.volumeEncrypted enabled explicitly`);
}

function checkBase(cfg: ClusterConfigFile, path: string, ng: NodeGroup | ManagedNodeGroup): void {
  if (!ng.name) fail(`${path}.name must be set`);
  const family = ng.amiFamily;
  if (family !== undefined && !(AMI_FAMILIES as readonly string[]).includes(family))
    fail(`AMI Family ${family} is not supported - use one of: ${AMI_FAMILIES.join(", ")}`);
  checkVolumes(path, ng);
  if ((ng.maxPodsPerNode ?? 0) < 0) fail(`${path}.maxPodsPerNode cannot be negative`);
  if ((ng.subnets?.length ?? 0) > 0 && (ng.availabilityZones?.length ?? 0) > 0)
    fail(`only one of ${path}.subnets or ${path}.availabilityZones should be set`);
  if (ng.placement && !ng.placement.groupName) fail(`${path}.placement.groupName must be set and non-empty`);
  const policies = Object.values(ng.iam?.withAddonPolicies ?? {}).some(Boolean);
  if (ng.disablePodIMDS && policies)
    fail(`${path}.disablePodIMDS and ${path}.iam.withAddonPolicies cannot be set at the same time`);
  if (ng.ssh?.enableSsm === false) fail("SSM agent is now built into EKS AMIs and cannot be disabled");
  const keys = [ng.ssh?.publicKeyName, ng.ssh?.publicKeyPath, ng.ssh?.publicKey].filter((k) => k);
  if (keys.length > 1)
    fail("only one of publicKeyName, publicKeyPath or publicKey can be specified for SSH per node-group");
  checkLabels(ng.labels ?? {});
  if (cfg.privateCluster?.enabled && !ng.privateNetworking)
    fail(`${path}.privateNetworking must be enabled for a fully-private cluster`);
  if (ng.instanceMarketOptions && !ng.capacityReservation)
    fail("instanceMarketOptions cannot be set without capacityReservation");
  const version = cfg.metadata?.version ?? "";
  if (ng.amiFamily === "AmazonLinux2" && !ng.ami && minor(version) >= 33)
    fail(`AmazonLinux2 is not supported for Kubernetes version ${version}`);
}

const minor = (version: string): number => Number(version.split(".")[1] ?? 0);

export function validateManaged(cfg: ClusterConfigFile, i: number, ng: ManagedNodeGroup): void {
  const path = `managedNodeGroups[${i}]`;
  checkBase(cfg, path, ng);
  sizeManaged(ng);
  if (ng.securityGroups?.withLocal != null || ng.securityGroups?.withShared != null)
    fail(
      `securityGroups.withLocal and securityGroups.withShared are not supported for managed nodegroups (${path}.securityGroups)`,
    );
  if (ng.instanceType && (ng.instanceTypes?.length ?? 0) > 0)
    fail(`only one of instanceType or instanceTypes can be specified (${path})`);
  if (ng.instanceType && Object.keys(ng.instanceSelector ?? {}).length > 0)
    fail(`cannot set instanceType when instanceSelector is specified (${path})`);
  if (ng.updateConfig) {
    const { maxUnavailable, maxUnavailablePercentage } = ng.updateConfig;
    if (maxUnavailable === undefined && maxUnavailablePercentage === undefined)
      fail("invalid UpdateConfig: maxUnavailable or maxUnavailablePercentage must be defined");
    if (maxUnavailable !== undefined && ng.maxSize !== undefined && maxUnavailable > ng.maxSize)
      fail(`maxUnavailable=${maxUnavailable} cannot be greater than maxSize=${ng.maxSize}`);
  }
  if (ng.launchTemplate) {
    if (!ng.launchTemplate.id)
      fail(`launchTemplate.id is required if launchTemplate is set (${path}.launchTemplate)`);
    if (ng.launchTemplate.version !== undefined && !(Number(ng.launchTemplate.version) >= 1))
      fail(`launchTemplate.version must be >= 1 (${path}.launchTemplate.version)`);
    const clash =
      ng.instanceType ||
      ng.ami ||
      ng.ssh?.allow ||
      ng.ssh?.enableSsm ||
      ng.ssh?.sourceSecurityGroupIds?.length ||
      ng.securityGroups?.attachIDs?.length ||
      ng.volumeSize !== undefined ||
      ng.instanceName ||
      ng.instancePrefix ||
      ng.maxPodsPerNode ||
      ng.disableIMDSv1 === false ||
      ng.disablePodIMDS ||
      ng.preBootstrapCommands?.length ||
      ng.overrideBootstrapCommand ||
      ng.placement;
    if (clash)
      fail(
        "cannot set instanceType, ami, ssh.allow, ssh.enableSSM, ssh.sourceSecurityGroupIds, securityGroups, volumeSize, instanceName, instancePrefix, maxPodsPerNode, disableIMDSv1, disablePodIMDS, preBootstrapCommands, overrideBootstrapCommand, placement in managedNodeGroup when a launch template is supplied",
      );
  }
  if (ng.ami) {
    if (!ng.ami.startsWith("ami-") && !ng.ami.startsWith("resolve:ssm:"))
      fail(`invalid AMI "${ng.ami}" (${path}.ami)`);
    if (!ng.amiFamily)
      fail(
        "when using a custom AMI, amiFamily needs to be explicitly set via config file or via --node-ami-family flag",
      );
    if (ng.amiFamily?.startsWith("Windows"))
      fail(
        `cannot set amiFamily to ${ng.amiFamily} when using a custom AMI for managed nodes, only AmazonLinux2023, AmazonLinux2, Bottlerocket, BottlerocketFips, UbuntuPro2604, Ubuntu2604, UbuntuPro2404, Ubuntu2404, UbuntuPro2204, Ubuntu2204, UbuntuPro2004, Ubuntu2004 are supported`,
      );
    if (
      !ng.overrideBootstrapCommand &&
      ng.amiFamily !== "AmazonLinux2023" &&
      !ng.amiFamily?.startsWith("Bottlerocket")
    )
      fail(
        `${path}.overrideBootstrapCommand is required when using a custom AMI based on ${ng.amiFamily} (${path}.ami)`,
      );
  } else if (ng.overrideBootstrapCommand && ng.amiFamily !== "AmazonLinux2023")
    fail(`${path}.overrideBootstrapCommand can only be set when a custom AMI (${path}.ami) is specified`);
  if (ng.iam?.instanceProfileARN)
    fail(`instanceProfileARN is not supported for Managed Nodes (${path}.instanceProfileARN)`);
  if (ng.amiFamily?.startsWith("Bottlerocket")) {
    if (ng.preBootstrapCommands)
      fail(
        `preBootstrapCommands is not supported for Bottlerocket nodegroups (path=${path}.preBootstrapCommands)`,
      );
    if (ng.overrideBootstrapCommand)
      fail(
        `overrideBootstrapCommand is not supported for Bottlerocket nodegroups (path=${path}.overrideBootstrapCommand)`,
      );
  }
  checkTaints(ng.taints ?? []);
}

/**
 * eksctl's managed sizing, which validates and defaults at once: min follows desired (else 2), max follows
 * desired (else min, at least 1), desired follows min. The flag wording is used for files too.
 */
function sizeManaged(ng: ManagedNodeGroup): void {
  const desired = ng.desiredCapacity;
  if (ng.minSize === undefined) ng.minSize = desired ?? DEFAULT_NODE_COUNT;
  else if (desired !== undefined && desired < ng.minSize)
    fail(`cannot use --nodes-min=${ng.minSize} and --nodes=${desired} at the same time`);
  if (ng.maxSize === undefined) ng.maxSize = Math.max(desired ?? ng.minSize, 1);
  else if (desired !== undefined && desired > ng.maxSize)
    fail(`cannot use --nodes-max=${ng.maxSize} and --nodes=${desired} at the same time`);
  else if (ng.maxSize < ng.minSize)
    fail(`cannot use --nodes-min=${ng.minSize} and --nodes-max=${ng.maxSize} at the same time`);
  ng.desiredCapacity ??= ng.minSize;
}

export function validateUnmanaged(cfg: ClusterConfigFile, i: number, ng: NodeGroup): void {
  const path = `nodeGroups[${i}]`;
  checkBase(cfg, path, ng);
  if (ng.name && NAME_ALLOWED.test(ng.name))
    fail(
      `validation for ${ng.name} failed, name must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
    );
  const dist = ng.instancesDistribution;
  const selector = Object.keys(ng.instanceSelector ?? {}).length > 0;
  if ((dist || selector) && ng.instanceType !== undefined && ng.instanceType !== "mixed")
    fail(
      `instanceType should be "mixed" or unset when using the ${dist ? "instances distribution" : "instance selector"} feature`,
    );
  if (dist) {
    if (!dist.instanceTypes?.length && !selector)
      fail("at least two instance types have to be specified for mixed nodegroups");
    const pools = dist.spotInstancePools;
    if (pools !== undefined && (pools < 1 || pools > 20))
      fail("spotInstancePools should be between 1 and 20");
    const pct = dist.onDemandPercentageAboveBaseCapacity;
    if (pct !== undefined && (pct < 0 || pct > 100)) fail("percentageAboveBase should be between 0 and 100");
  }
  if (ng.maxInstanceLifetime !== undefined && ng.maxInstanceLifetime < 86400)
    fail(
      `maximum instance lifetime must have a minimum value of 86,400 seconds (one day), but was: ${ng.maxInstanceLifetime}`,
    );
  if (
    ng.containerRuntime !== undefined &&
    ng.containerRuntime !== "containerd" &&
    ng.amiFamily === "AmazonLinux2023"
  )
    fail("only containerd is supported for container runtime on AmazonLinux2023 nodes");
  if ((ng.localZones?.length ?? 0) > 0 && (ng.availabilityZones?.length ?? 0) > 0)
    fail("cannot specify both localZones and availabilityZones");
  for (const key of [
    "kind",
    "apiVersion",
    "address",
    "clusterDomain",
    "authentication",
    "authorization",
    "serverTLSBootstrap",
  ])
    if (ng.kubeletExtraConfig && key in ng.kubeletExtraConfig)
      fail(`cannot override "${key}" in kubelet config, as it's critical to eksctl functionality`);
  checkTaints(taintList(ng.taints) ?? []);
  const { minSize: min, maxSize: max, desiredCapacity: d } = ng;
  if (d !== undefined && min !== undefined && d < min)
    fail(`--nodes value (${d}) cannot be lower than --nodes-min value (${min})`);
  if (d !== undefined && max !== undefined && d > max)
    fail(`--nodes value (${d}) cannot be greater than --nodes-max value (${max})`);
  if (min !== undefined && max !== undefined && min > max)
    fail(`--nodes-min value (${min}) cannot be greater than --nodes-max value (${max})`);
}
