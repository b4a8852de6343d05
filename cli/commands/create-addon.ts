import type { CreateAddonCommandInput } from "@aws-sdk/client-eks";
import { clusterRequests } from "../../lib/eksctl/index.ts";
import { addonFlags } from "../addon-flags.ts";
import { describeCluster } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, configFileFlag, deadline } from "../common-flags.ts";
import { readClusterFile } from "../config-file.ts";
import { createAddons } from "../create/addons.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

export const command: Command = {
  verb: "create",
  noun: "addon",
  summary: "Create an Addon",
  flags: [...addonFlags, configFileFlag, ...apiFlags()],
  async run({ flags, args, log }) {
    const file = flags.string("config-file");
    let opts = awsOptionsFrom(flags);
    let cluster: string;
    let addons: CreateAddonCommandInput[];
    if (file) {
      const read = readClusterFile(file, flags, args, log, ["cluster", "name", "version", "region"]);
      const cfg = read.cfg;
      cluster = read.cluster;
      opts = read.opts;
      addons = clusterRequests(cfg).addons;
    } else {
      cluster = flags.string("cluster") ?? "";
      if (!cluster) throw new CliError("--cluster must be set");
      const name = flags.string("name") ?? args[0];
      if (!name) throw new CliError("--name is required");
      const version = flags.string("version");
      addons = [
        {
          clusterName: cluster,
          addonName: name,
          addonVersion: version && version !== "latest" ? version : undefined,
          serviceAccountRoleArn: flags.string("service-account-role-arn"),
          configurationValues: flags.string("configuration-values"),
          resolveConflicts: flags.bool("force") ? "OVERWRITE" : undefined,
          namespaceConfig: flags.string("namespace") ? { namespace: flags.string("namespace") } : undefined,
        },
      ];
    }
    const aws = createAws(opts);
    await describeCluster(aws, cluster);
    await createAddons({ aws, log, cluster, deadline: deadline(flags) }, addons, flags.bool("wait"));
    if (!flags.bool("wait")) for (const a of addons) log.info(`successfully created addon: ${a.addonName}`);
  },
};
