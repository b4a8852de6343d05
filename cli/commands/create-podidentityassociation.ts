import type { CreatePodIdentityAssociationCommandInput } from "@aws-sdk/client-eks";
import { clusterRequests } from "../../lib/eksctl/index.ts";
import { describeCluster, kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, configFileFlag, deadline } from "../common-flags.ts";
import { readClusterFile } from "../config-file.ts";
import { createPodIdentityAssociations } from "../create/access.ts";
import { createServiceAccounts } from "../create/service-accounts.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

export const command: Command = {
  verb: "create",
  noun: "podidentityassociation",
  summary: "Create a pod identity association",
  flags: [
    { name: "cluster", short: "c", type: "string", usage: "EKS cluster name" },
    { name: "namespace", type: "string", usage: "Namespace the service account belongs to" },
    { name: "service-account-name", type: "string", usage: "Name of the service account" },
    {
      name: "role-arn",
      type: "string",
      usage: "ARN of the IAM role to be associated with the service account",
    },
    { name: "role-name", type: "string", usage: "Set a custom name for the created role" },
    {
      name: "permission-policy-arns",
      type: "stringSlice",
      usage: "List of ARNs of the IAM permission policies to be attached to the role",
    },
    {
      name: "create-service-account",
      type: "bool",
      usage: "Instructs the command to create the service account",
    },
    {
      name: "tags",
      type: "stringMap",
      usage: 'Used to tag the AWS resources. List of comma separated KV pairs "k1=v1,k2=v2"',
    },
    configFileFlag,
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const file = flags.string("config-file");
    let opts = awsOptionsFrom(flags);
    let cluster: string;
    let inputs: CreatePodIdentityAssociationCommandInput[];
    if (file) {
      const read = readClusterFile(file, flags, args, log, [
        "cluster",
        "namespace",
        "service-account-name",
        "role-arn",
        "role-name",
        "region",
      ]);
      const cfg = read.cfg;
      cluster = read.cluster;
      opts = read.opts;
      inputs = clusterRequests(cfg).podIdentityAssociations;
    } else {
      cluster = flags.string("cluster") ?? "";
      if (!cluster) throw new CliError("--cluster must be set");
      const namespace = flags.string("namespace");
      const serviceAccount = flags.string("service-account-name");
      if (!namespace) throw new CliError("--namespace is required");
      if (!serviceAccount) throw new CliError("--service-account-name is required");
      let roleArn = flags.string("role-arn");
      if (!roleArn) {
        if (flags.list("permission-policy-arns").length === 0) {
          throw new CliError(
            "at least one of the following must be specified: --role-arn, --permission-policy-arns",
          );
        }
        const c = await describeCluster(createAws(opts), cluster);
        const account = c.arn?.split(":")[4] ?? "000000000000";
        roleArn = `arn:aws:iam::${account}:role/${flags.string("role-name") ?? `eksctl-${cluster}-podidentityrole-${namespace}-${serviceAccount}`}`;
      }
      inputs = [
        {
          clusterName: cluster,
          namespace,
          serviceAccount,
          roleArn,
          tags: Object.keys(flags.map("tags")).length ? flags.map("tags") : undefined,
        },
      ];
    }
    const aws = createAws(opts);
    const ctx = { aws, log, cluster, deadline: deadline(flags) };
    if (flags.bool("create-service-account")) {
      const kube = await kubeFor(aws, cluster);
      await createServiceAccounts(
        ctx,
        kube,
        inputs.map((i) => ({ namespace: i.namespace!, name: i.serviceAccount! })),
      );
    }
    await createPodIdentityAssociations(ctx, inputs);
  },
};
