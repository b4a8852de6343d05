import { describeCluster } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, requireName } from "../common-flags.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { kubeconfigFlags, saveKubeconfig } from "../write-kubeconfig.ts";

export const command: Command = {
  verb: "utils",
  noun: "write-kubeconfig",
  summary: "Write kubeconfig file for a given cluster",
  flags: [
    clusterFlag,
    { name: "name", short: "n", type: "string", usage: "EKS cluster name", hidden: true },
    ...kubeconfigFlags,
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const name = flags.string("cluster") ?? flags.string("name") ?? args[0];
    if (!name) throw new CliError("--cluster must be set");
    if (flags.string("cluster") && args[0]) requireName(flags, args, "cluster");
    const aws = createAws(awsOptionsFrom(flags));
    const c = await describeCluster(aws, name);
    await saveKubeconfig(aws, flags, c, log);
  },
};
