import type { AssociateAccessPolicyCommandInput, CreateAccessEntryCommandInput } from "@aws-sdk/client-eks";
import { clusterRequests } from "../../lib/eksctl/index.ts";
import { describeCluster } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, configFileFlag, deadline } from "../common-flags.ts";
import { readClusterFile } from "../config-file.ts";
import { createAccessEntries } from "../create/access.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

export const command: Command = {
  verb: "create",
  noun: "accessentry",
  summary: "Create access entries",
  flags: [
    { name: "cluster", short: "c", type: "string", usage: "EKS cluster name" },
    { name: "principal-arn", type: "string", usage: "principal ARN to which the access entry is associated" },
    { name: "type", type: "string", default: "STANDARD", usage: "type of the access entry" },
    {
      name: "kubernetes-groups",
      type: "stringSlice",
      usage: "groups of Kubernetes RBAC to which the principal is associated",
    },
    {
      name: "kubernetes-username",
      type: "string",
      usage: "Kubernetes username to which the principal is associated",
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
    let entries: { entry: CreateAccessEntryCommandInput; policies: AssociateAccessPolicyCommandInput[] }[];
    if (file) {
      const read = readClusterFile(file, flags, args, log, [
        "cluster",
        "principal-arn",
        "kubernetes-groups",
        "kubernetes-username",
        "region",
      ]);
      const cfg = read.cfg;
      cluster = read.cluster;
      opts = read.opts;
      entries = clusterRequests(cfg).accessEntries;
    } else {
      cluster = flags.string("cluster") ?? "";
      if (!cluster) throw new CliError("--cluster must be set");
      const principalArn = flags.string("principal-arn");
      if (!principalArn) throw new CliError("--principal-arn is required");
      const groups = flags.list("kubernetes-groups");
      entries = [
        {
          entry: {
            clusterName: cluster,
            principalArn,
            type: flags.string("type"),
            kubernetesGroups: groups.length ? groups : undefined,
            username: flags.string("kubernetes-username"),
            tags: Object.keys(flags.map("tags")).length ? flags.map("tags") : undefined,
          },
          policies: [],
        },
      ];
    }
    const aws = createAws(opts);
    const c = await describeCluster(aws, cluster);
    if (c.accessConfig?.authenticationMode === "CONFIG_MAP") {
      throw new CliError(
        `access entries API is not currently enabled; please enable it using \`eksctl utils update-authentication-mode --cluster ${cluster} --authentication-mode=API_AND_CONFIG_MAP\``,
      );
    }
    await createAccessEntries({ aws, log, cluster, deadline: deadline(flags) }, entries);
  },
};
