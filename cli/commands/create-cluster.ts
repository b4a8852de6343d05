import { instanceType } from "../../lib/capacity/catalog.ts";
import { zonesOf } from "../../lib/capacity/regions.ts";
import {
  type ClusterConfig,
  clusterRequests,
  configFromFlags,
  dumpClusterConfig,
  unsupportedFeatures,
} from "../../lib/eksctl/index.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, configFileFlag, deadline, optionalName } from "../common-flags.ts";
import { identityOf, loadConfigFile, refuseWithFile } from "../config-file.ts";
import { runCreate } from "../create/run.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import type { FlagSpec } from "../flags.ts";
import { callerArn } from "../sts.ts";
import { kubeconfigFlags } from "../write-kubeconfig.ts";

const clusterAndNodegroupFlags: FlagSpec[] = [
  {
    name: "name",
    short: "n",
    type: "string",
    usage: 'EKS cluster name (generated if unspecified, e.g. "floral-unicorn-1540567338")',
  },
  {
    name: "tags",
    type: "stringMap",
    usage: 'Used to tag the AWS resources. List of comma separated KV pairs "k1=v1,k2=v2"',
  },
  { name: "zones", type: "stringSlice", usage: "(auto-select if unspecified)" },
  {
    name: "version",
    type: "string",
    default: "",
    usage: 'Kubernetes version (valid options: 1.30, 1.31, 1.32, 1.33, 1.34) (default "1.34")',
  },
  { name: "with-oidc", type: "bool", usage: "Enable the IAM OIDC provider" },
  {
    name: "fargate",
    type: "bool",
    usage: "Create a Fargate profile scheduling pods in the default and kube-system namespaces onto Fargate",
  },
  {
    name: "nodegroup-name",
    type: "string",
    usage: 'name of the nodegroup (generated if unspecified, e.g. "ng-8f2b9a1c")',
  },
  { name: "without-nodegroup", type: "bool", usage: "if set, initial nodegroup will not be created" },
  { name: "node-type", short: "t", type: "string", usage: 'node instance type (default "m5.large")' },
  { name: "nodes", short: "N", type: "int", default: 2, usage: "total number of nodes (for a static ASG)" },
  { name: "nodes-min", short: "m", type: "int", default: 2, usage: "minimum nodes in ASG" },
  { name: "nodes-max", short: "M", type: "int", default: 2, usage: "maximum nodes in ASG" },
  { name: "managed", type: "bool", default: true, usage: "Create EKS-managed nodegroup" },
  { name: "spot", type: "bool", usage: "Create a spot nodegroup (managed nodegroups only)" },
  {
    name: "instance-types",
    type: "stringSlice",
    usage: "Comma-separated list of instance types (e.g., --instance-types=c3.large,c4.large,c5.large",
  },
  {
    name: "node-labels",
    type: "stringMap",
    usage:
      'Extra labels to add when registering the nodes in the nodegroup. List of comma separated KV pairs "k1=v1,k2=v2"',
  },
];

export const command: Command = {
  verb: "create",
  noun: "cluster",
  summary: "Create a cluster",
  args: "[NAME]",
  flags: [
    ...clusterAndNodegroupFlags,
    configFileFlag,
    {
      name: "dry-run",
      type: "bool",
      usage: "Dry-run mode that skips cluster creation and outputs a ClusterConfig",
    },
    { name: "write-kubeconfig", type: "bool", default: true, usage: "toggle writing of kubeconfig" },
    ...kubeconfigFlags,
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const file = flags.string("config-file");
    let cfg: ClusterConfig;
    let opts = awsOptionsFrom(flags);
    if (file) {
      refuseWithFile(flags, args, [...clusterAndNodegroupFlags.map((f) => f.name), "region"]);
      cfg = loadConfigFile(file, log);
      opts = { ...opts, region: identityOf(cfg).region };
    } else {
      const name = optionalName(flags, args);
      const region = createAws(opts).region;
      cfg = configFromFlags({
        name,
        region,
        version: flags.string("version") || undefined,
        nodes: flags.int("nodes"),
        nodeType: flags.string("node-type"),
        nodesMin: flags.changed("nodes-min") ? flags.int("nodes-min") : undefined,
        nodesMax: flags.changed("nodes-max") ? flags.int("nodes-max") : undefined,
        // eksctl: --fargate alone creates no node group; an explicit --managed adds one.
        managed: flags.changed("managed") ? flags.bool("managed") : undefined,
        fargate: flags.bool("fargate"),
        withoutNodegroup: flags.bool("without-nodegroup"),
        nodegroupName: flags.string("nodegroup-name"),
        zones: flags.list("zones").length ? flags.list("zones") : undefined,
        tags: Object.keys(flags.map("tags")).length ? flags.map("tags") : undefined,
        withOIDC: flags.bool("with-oidc") || undefined,
      });
      opts = { ...opts, region };
    }
    if (flags.bool("dry-run")) {
      if (flags.changed("profile")) {
        throw new CliError(
          "cannot use --profile with --dry-run as this option cannot be represented in ClusterConfig: set the AWS_PROFILE environment variable instead",
        );
      }
      process.stdout.write(dumpClusterConfig(cfg));
      return;
    }
    const refusals = unsupportedFeatures(cfg, { instanceTypeExists: (t) => instanceType(t) !== undefined });
    if (refusals.length) {
      for (const r of refusals.slice(0, -1)) log.critical(r);
      throw new CliError(refusals[refusals.length - 1]);
    }
    const aws = createAws(opts);
    const account = (await callerArn(aws)).split(":")[4] || undefined;
    const requests = clusterRequests(cfg, { account, regionZones: zonesOf(aws.region) });
    await runCreate({ aws, log, cluster: identityOf(cfg).name, deadline: deadline(flags) }, requests, {
      flags,
      withFile: Boolean(file),
      writeKubeconfig: flags.bool("write-kubeconfig"),
    });
  },
};
