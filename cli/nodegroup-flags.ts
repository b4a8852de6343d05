import { randomBytes } from "node:crypto";
import type { CreateNodegroupCommandInput } from "@aws-sdk/client-eks";
import { CliError, type Flags } from "./command.ts";
import type { NodegroupRequest } from "./create/nodegroups.ts";
import type { FlagSpec } from "./flags.ts";

// The initial-nodegroup flags `create nodegroup` shares with eksctl, turned into a CreateNodegroup request.

export const nodegroupFlags: FlagSpec[] = [
  {
    name: "name",
    short: "n",
    type: "string",
    usage: 'name of the new nodegroup (generated if unspecified, e.g. "ng-8f2b9a1c")',
  },
  { name: "node-type", short: "t", type: "string", usage: 'node instance type (default "m5.large")' },
  { name: "nodes", short: "N", type: "int", default: 2, usage: "total number of nodes (for a static ASG)" },
  { name: "nodes-min", short: "m", type: "int", default: 2, usage: "minimum nodes in ASG" },
  { name: "nodes-max", short: "M", type: "int", default: 2, usage: "maximum nodes in ASG" },
  { name: "node-volume-size", type: "int", default: 80, usage: "node volume size in GB" },
  {
    name: "node-labels",
    type: "stringMap",
    usage:
      'Extra labels to add when registering the nodes in the nodegroup. List of comma separated KV pairs "k1=v1,k2=v2"',
  },
  {
    name: "node-ami-family",
    type: "string",
    default: "AmazonLinux2023",
    usage: "'AmazonLinux2023' for the Amazon EKS optimized AMI, or use 'Bottlerocket' or 'Ubuntu2204'",
  },
  { name: "managed", type: "bool", default: true, usage: "Create EKS-managed nodegroup" },
  { name: "spot", type: "bool", usage: "Create a spot nodegroup (managed nodegroups only)" },
  {
    name: "instance-types",
    type: "stringSlice",
    usage: "Comma-separated list of instance types (e.g., --instance-types=c3.large,c4.large,c5.large",
  },
  {
    name: "version",
    type: "string",
    default: "",
    usage: "for managed nodegroups, 'auto' or unset uses the control plane version",
  },
  {
    name: "tags",
    type: "stringMap",
    usage: 'Used to tag the AWS resources. List of comma separated KV pairs "k1=v1,k2=v2"',
  },
];

const AMI_TYPES: Record<string, string> = {
  AmazonLinux2023: "AL2023_x86_64_STANDARD",
  AmazonLinux2: "AL2_x86_64",
  Bottlerocket: "BOTTLEROCKET_x86_64",
};

export const generatedNodegroupName = () => `ng-${randomBytes(4).toString("hex")}`;

/** eksctl's scale checks, word for word (pkg/ctl/scale/nodegroup.go and the nodegroup validation). */
export function checkSizes(desired?: number, min?: number, max?: number): void {
  if (desired !== undefined && desired < 0) throw new CliError("number of nodes must be 0 or greater");
  if (min !== undefined && min < 0) throw new CliError("minimum number of nodes must be 0 or greater");
  if (max !== undefined && max < 0) throw new CliError("maximum number of nodes must be 0 or greater");
  if (min !== undefined && max !== undefined && min > max) {
    throw new CliError("minimum number of nodes must be less than or equal to number of maximum nodes");
  }
  if (desired !== undefined && max !== undefined && desired > max) {
    throw new CliError("maximum number of nodes must be greater than or equal to number of nodes");
  }
  if (desired !== undefined && min !== undefined && desired < min) {
    throw new CliError("minimum number of nodes must be fewer than or equal to number of nodes");
  }
}

export function nodegroupInputFromFlags(flags: Flags, cluster: string, version: string): NodegroupRequest {
  if (!flags.bool("managed")) {
    throw new CliError(
      "unsupported: --managed=false: self-managed nodegroups need EC2 Auto Scaling groups and CloudFormation, which Kumulus does not simulate; use managed nodegroups",
    );
  }
  const desired = flags.int("nodes") ?? 2;
  // eksctl: min and max apply only when given; otherwise they follow the number of nodes.
  const min = flags.changed("nodes-min") ? flags.int("nodes-min")! : desired;
  const max = flags.changed("nodes-max") ? flags.int("nodes-max")! : Math.max(desired, 1);
  if (min > max)
    throw new CliError(`--nodes-min value (${min}) cannot be greater than --nodes-max value (${max})`);
  if (desired < min)
    throw new CliError(`--nodes value (${desired}) cannot be lower than --nodes-min value (${min})`);
  if (desired > max)
    throw new CliError(`--nodes value (${desired}) cannot be greater than --nodes-max value (${max})`);
  const types = flags.list("instance-types");
  const family = flags.string("node-ami-family") ?? "AmazonLinux2023";
  const name = flags.string("name") ?? generatedNodegroupName();
  return {
    clusterName: cluster,
    nodegroupName: name,
    scalingConfig: { minSize: min, maxSize: max, desiredSize: desired },
    instanceTypes: types.length ? types : [flags.string("node-type") ?? "m5.large"],
    capacityType: flags.bool("spot") ? "SPOT" : "ON_DEMAND",
    amiType: (AMI_TYPES[family] ?? "AL2023_x86_64_STANDARD") as CreateNodegroupCommandInput["amiType"],
    diskSize: flags.int("node-volume-size"),
    labels: {
      "alpha.eksctl.io/cluster-name": cluster,
      "alpha.eksctl.io/nodegroup-name": name,
      ...flags.map("node-labels"),
    },
    tags: {
      "alpha.eksctl.io/nodegroup-name": name,
      "alpha.eksctl.io/nodegroup-type": "managed",
      ...flags.map("tags"),
    },
    version: version || undefined,
  };
}
