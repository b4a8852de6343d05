import { clusterRequests } from "../../lib/eksctl/index.ts";
import type { IdentityMapping } from "../aws-auth.ts";
import { describeCluster, kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, configFileFlag, deadline } from "../common-flags.ts";
import { readClusterFile } from "../config-file.ts";
import { createIdentityMappings } from "../create/identity-mappings.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

export const command: Command = {
  verb: "create",
  noun: "iamidentitymapping",
  summary: "Create an IAM identity mapping",
  flags: [
    { name: "cluster", short: "c", type: "string", usage: "EKS cluster name" },
    { name: "name", type: "string", usage: "EKS cluster name", hidden: true },
    { name: "arn", type: "string", usage: "ARN of the IAM role or user to create" },
    { name: "role", type: "string", usage: "ARN of the IAM role or user to create", hidden: true },
    { name: "username", type: "string", usage: "User name within Kubernetes to map to IAM role" },
    { name: "group", type: "stringArray", usage: "Groups within Kubernetes to which IAM role is mapped" },
    { name: "account", type: "string", usage: "Account ID to automatically map to its username" },
    { name: "service-name", type: "string", usage: "Service name; valid value: emr-containers" },
    {
      name: "namespace",
      type: "string",
      usage: "Namespace in which to create RBAC resources (only valid with --service-name)",
    },
    {
      name: "no-duplicate-arns",
      type: "bool",
      usage: "Throw error when an aws-auth record already exists with the given ARN",
    },
    configFileFlag,
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const file = flags.string("config-file");
    let opts = awsOptionsFrom(flags);
    let cluster: string;
    let mappings: IdentityMapping[];
    if (file) {
      const read = readClusterFile(file, flags, args, log, [
        "cluster",
        "name",
        "arn",
        "role",
        "username",
        "group",
        "account",
        "region",
      ]);
      const cfg = read.cfg;
      cluster = read.cluster;
      opts = read.opts;
      mappings = clusterRequests(cfg).iamIdentityMappings;
    } else {
      cluster = flags.string("cluster") ?? flags.string("name") ?? "";
      if (!cluster) throw new CliError("--cluster must be set");
      const arn = flags.string("arn") ?? flags.string("role");
      const account = flags.string("account");
      if (flags.string("service-name")) {
        throw new CliError(
          "unsupported: --service-name: service-linked identity mappings (emr-containers) need EMR on EKS, which Kumulus does not simulate",
        );
      }
      if (flags.string("namespace")) throw new CliError("serviceName is required when using namespace");
      if (account) {
        if (arn || flags.string("username") || flags.list("group").length) {
          throw new CliError("account cannot be configured with any other options");
        }
        mappings = [{ account }];
      } else {
        if (!arn) throw new CliError("--arn must be set");
        if (!/^arn:[^:]+:(iam|sts)::\d*:/.test(arn)) throw new CliError(`invalid ARN ${JSON.stringify(arn)}`);
        mappings = [{ arn, username: flags.string("username"), groups: flags.list("group") }];
      }
    }
    const aws = createAws(opts);
    const c = await describeCluster(aws, cluster);
    const kube = await kubeFor(aws, cluster, c);
    await createIdentityMappings(
      { aws, log, cluster, deadline: deadline(flags) },
      kube,
      mappings,
      flags.bool("no-duplicate-arns"),
    );
  },
};
