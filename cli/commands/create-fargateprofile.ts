import { randomBytes } from "node:crypto";
import type { CreateFargateProfileCommandInput } from "@aws-sdk/client-eks";
import { clusterRequests } from "../../lib/eksctl/index.ts";
import { describeCluster } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, configFileFlag, deadline, optionalName } from "../common-flags.ts";
import { readClusterFile } from "../config-file.ts";
import type { StepContext } from "../create/context.ts";
import { createFargateProfile } from "../create/fargate.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

export const command: Command = {
  verb: "create",
  noun: "fargateprofile",
  summary: "Create a Fargate profile",
  args: "[NAME]",
  flags: [
    clusterFlag,
    {
      name: "name",
      type: "string",
      usage: 'Fargate profile name (generated if unspecified, e.g. "fp-a2b9c4d1")',
    },
    { name: "namespace", type: "string", usage: "Kubernetes namespace of the pods to schedule onto Fargate" },
    {
      name: "labels",
      short: "l",
      type: "stringMap",
      usage: "Kubernetes selector labels of the pods to schedule onto Fargate, e.g. k1=v1,k2=v2",
    },
    {
      name: "tags",
      short: "t",
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
    let profiles: CreateFargateProfileCommandInput[];
    if (file) {
      const read = readClusterFile(file, flags, args, log, [
        "cluster",
        "name",
        "namespace",
        "labels",
        "tags",
        "region",
      ]);
      const cfg = read.cfg;
      cluster = read.cluster;
      opts = read.opts;
      profiles = clusterRequests(cfg).fargateProfiles;
    } else {
      cluster = flags.string("cluster") ?? "";
      if (!cluster) throw new CliError("--cluster must be set");
      const name = optionalName(flags, args) ?? `fp-${randomBytes(4).toString("hex")}`;
      if (name.startsWith("eks-"))
        throw new CliError(
          `invalid Fargate profile ${JSON.stringify(name)}: name should NOT start with "eks-"`,
        );
      const ns = flags.string("namespace");
      if (!ns) throw new CliError("invalid Fargate profile: empty selector namespace");
      const labels = flags.map("labels");
      profiles = [
        {
          clusterName: cluster,
          fargateProfileName: name,
          selectors: [{ namespace: ns, ...(Object.keys(labels).length ? { labels } : {}) }],
          tags: Object.keys(flags.map("tags")).length ? flags.map("tags") : undefined,
          podExecutionRoleArn: undefined,
        },
      ];
    }
    const aws = createAws(opts);
    const c = await describeCluster(aws, cluster);
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    for (const p of profiles) await createFargateProfile(ctx, c, p);
  },
};
