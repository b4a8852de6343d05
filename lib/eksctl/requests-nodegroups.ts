import type {
  AMITypes,
  CreateNodegroupRequest,
  Taint as EksTaint,
  NodeRepairConfig,
  RepairAction,
  TaintEffect,
} from "@aws-sdk/client-eks";
import { unmanagedSizes } from "./defaults.ts";
import { hasSelector, selectInstanceTypes } from "./instance-selector.ts";
import { type ClusterNetwork, nodegroupSubnets } from "./network.ts";
import type { ClusterConfigFile, ManagedNodeGroup, NodeGroup, Taint } from "./schema.ts";

// Node groups as CreateNodegroup requests. Self-managed groups (nodeGroups) have no EKS API of their own
// (eksctl makes them a CloudFormation auto-scaling group); Kumulus simulates each as a managed group tagged
// `alpha.eksctl.io/nodegroup-type: unmanaged`. Launch templates, custom AMIs and SSH keys are AWS-only: they
// stay in the config (and its dry-run echo) but are not sent, since Kumulus' CreateNodegroup refuses
// launch templates.

export interface RequestContext {
  cfg: ClusterConfigFile;
  net: ClusterNetwork;
  account: string;
  /** Whether role ARNs of other accounts are moved into `account` (see requests.ts sameAccountRole). */
  rehome?: boolean;
  partition: string;
  regionZones?: readonly string[];
}

const EFFECTS: Record<string, TaintEffect> = {
  NoSchedule: "NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
};

const taints = (list: Taint[] | undefined): EksTaint[] | undefined =>
  list?.length
    ? list.map((t) => ({
        key: t.key,
        ...(t.value ? { value: t.value } : {}),
        effect: EFFECTS[t.effect ?? ""],
      }))
    : undefined;

const isArm = (type: string) => /^(a1|[a-z]+\d+g[a-z]*)\./.test(type);
const isNvidia = (type: string) => /^(p\d|g\d[a-z]*|gr\d)\./.test(type) && !/^g4ad\./.test(type);
const isNeuron = (type: string) => /^(inf|trn)\d/.test(type);

/** The EKS AMI type of an eksctl amiFamily on these instance types. */
export function amiTypeFor(family: string | undefined, types: readonly string[]): AMITypes {
  const arm = types.some(isArm);
  const gpu = types.some(isNvidia);
  const f = family ?? "AmazonLinux2023";
  const windows = /^WindowsServer(2019|2022|2025)(Core|Full)Container$/.exec(f);
  if (windows) return `WINDOWS_${windows[2]!.toUpperCase()}_${windows[1]}_x86_64` as AMITypes;
  if (f.startsWith("Bottlerocket")) {
    const fips = f === "BottlerocketFips" ? "_FIPS" : "";
    return `BOTTLEROCKET_${arm ? "ARM_64" : "x86_64"}${gpu ? "_NVIDIA" : ""}${fips}` as AMITypes;
  }
  if (f === "AmazonLinux2") return arm ? "AL2_ARM_64" : gpu ? "AL2_x86_64_GPU" : "AL2_x86_64";
  if (f.startsWith("Ubuntu")) return "CUSTOM";
  if (arm) return gpu ? "AL2023_ARM_64_NVIDIA" : "AL2023_ARM_64_STANDARD";
  if (types.some(isNeuron)) return "AL2023_x86_64_NEURON";
  return gpu ? "AL2023_x86_64_NVIDIA" : "AL2023_x86_64_STANDARD";
}

const REPAIR: Record<string, RepairAction> = { Terminate: "Replace", Restart: "Reboot" };

function repairConfig(c: ManagedNodeGroup["nodeRepairConfig"]): NodeRepairConfig | undefined {
  if (!c) return undefined;
  const { nodeRepairConfigOverrides, ...rest } = c;
  return {
    ...rest,
    ...(nodeRepairConfigOverrides
      ? {
          nodeRepairConfigOverrides: nodeRepairConfigOverrides.map(({ repairAction, ...o }) => ({
            ...o,
            ...(repairAction ? { repairAction: REPAIR[repairAction] ?? (repairAction as RepairAction) } : {}),
          })),
        }
      : {}),
  };
}

const nodeRole = (ctx: RequestContext, ng: NodeGroup | ManagedNodeGroup) =>
  ng.iam?.instanceRoleARN ??
  `arn:${ctx.partition}:iam::${ctx.account}:role/eksctl-${ctx.cfg.metadata?.name}-nodegroup-${ng.name}-NodeInstanceRole`;

function common(ctx: RequestContext, ng: NodeGroup | ManagedNodeGroup, types: string[]) {
  const cluster = ctx.cfg.metadata?.name ?? "";
  const tags = { ...ctx.cfg.metadata?.tags, ...ng.tags };
  const ssh = ng.ssh?.allow && ng.ssh.publicKeyName;
  return {
    clusterName: cluster,
    nodegroupName: ng.name ?? "",
    subnets: nodegroupSubnets(ctx.cfg, ctx.net, ng, ctx.regionZones),
    ...(types.length ? { instanceTypes: types } : {}),
    amiType: amiTypeFor(ng.amiFamily, types),
    nodeRole: nodeRole(ctx, ng),
    ...(ng.volumeSize !== undefined ? { diskSize: ng.volumeSize } : {}),
    ...(ng.labels && Object.keys(ng.labels).length ? { labels: { ...ng.labels } } : {}),
    tags,
    ...(ssh
      ? {
          remoteAccess: {
            ec2SshKey: ng.ssh!.publicKeyName,
            ...(ng.ssh?.sourceSecurityGroupIds
              ? { sourceSecurityGroups: ng.ssh.sourceSecurityGroupIds }
              : {}),
          },
        }
      : {}),
  };
}

export function managedRequest(ctx: RequestContext, ng: ManagedNodeGroup): CreateNodegroupRequest {
  const types = ng.instanceTypes?.length
    ? [...ng.instanceTypes]
    : ng.instanceType
      ? [ng.instanceType]
      : hasSelector(ng)
        ? selectInstanceTypes(ng)
        : [];
  const base = common(ctx, ng, types);
  return {
    ...base,
    tags: {
      ...base.tags,
      "alpha.eksctl.io/nodegroup-name": ng.name ?? "",
      "alpha.eksctl.io/nodegroup-type": "managed",
    },
    scalingConfig: { minSize: ng.minSize, maxSize: ng.maxSize, desiredSize: ng.desiredCapacity },
    ...(taints(ng.taints) ? { taints: taints(ng.taints) } : {}),
    ...(ng.updateConfig ? { updateConfig: { ...ng.updateConfig } } : {}),
    ...(ng.nodeRepairConfig ? { nodeRepairConfig: repairConfig(ng.nodeRepairConfig) } : {}),
    ...(ng.spot ? { capacityType: "SPOT" as const } : {}),
    ...(ng.releaseVersion ? { releaseVersion: ng.releaseVersion } : {}),
  };
}

export function unmanagedRequest(ctx: RequestContext, ng: NodeGroup): CreateNodegroupRequest {
  const dist = ng.instancesDistribution;
  const types =
    ng.instanceType && ng.instanceType !== "mixed"
      ? [ng.instanceType]
      : dist?.instanceTypes?.length
        ? [...dist.instanceTypes]
        : hasSelector(ng)
          ? selectInstanceTypes(ng)
          : [];
  const base = common(ctx, ng, types);
  const { min, max, desired } = unmanagedSizes(ng);
  // An ASG may have a maximum of 0; a managed group may not, so the simulated group gets at least 1.
  const maxSize = Math.max(max, desired, 1);
  const allSpot =
    dist !== undefined &&
    (dist.onDemandBaseCapacity ?? 0) === 0 &&
    dist.onDemandPercentageAboveBaseCapacity === 0;
  return {
    ...base,
    tags: {
      ...base.tags,
      "alpha.eksctl.io/nodegroup-name": ng.name ?? "",
      "alpha.eksctl.io/nodegroup-type": "unmanaged",
    },
    scalingConfig: { minSize: min, maxSize, desiredSize: desired },
    ...(Array.isArray(ng.taints) && taints(ng.taints) ? { taints: taints(ng.taints) } : {}),
    ...(ng.updateConfig ? { updateConfig: { ...ng.updateConfig } } : {}),
    ...(allSpot ? { capacityType: "SPOT" as const } : {}),
  };
}
