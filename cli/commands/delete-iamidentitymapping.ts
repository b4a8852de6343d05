import { readAuthMap, removeMapping, writeAuthMap } from "../aws-auth.ts";
import { kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag } from "../common-flags.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

export const command: Command = {
  verb: "delete",
  noun: "iamidentitymapping",
  summary: "Delete a IAM identity mapping",
  flags: [
    clusterFlag,
    { name: "name", type: "string", usage: "EKS cluster name", hidden: true },
    { name: "arn", type: "string", usage: "ARN of the IAM role or user to delete" },
    { name: "role", type: "string", usage: "ARN of the IAM role or user to delete", hidden: true },
    { name: "account", type: "string", usage: "Account ID to delete" },
    { name: "all", type: "bool", usage: "Delete all matching mappings instead of just one" },
    ...apiFlags(),
  ],
  async run({ flags, log }) {
    const cluster = flags.string("cluster") ?? flags.string("name");
    if (!cluster) throw new CliError("--cluster must be set");
    const arn = flags.string("arn") ?? flags.string("role");
    const account = flags.string("account");
    if (!arn && !account) throw new CliError("--arn must be set");
    const aws = createAws(awsOptionsFrom(flags));
    const kube = await kubeFor(aws, cluster);
    const m = await readAuthMap(kube);
    if (account) {
      if (!m.mapAccounts.includes(account))
        throw new CliError(`account ${JSON.stringify(account)} not found in auth ConfigMap`);
      m.mapAccounts = m.mapAccounts.filter((a) => a !== account);
      log.info(`removing account "${account}" from auth ConfigMap`);
    } else {
      const removed = removeMapping(m, arn!, flags.bool("all"));
      if (removed.length === 0)
        throw new CliError(`instance identity ARN ${JSON.stringify(arn)} not found in auth ConfigMap`);
      for (const r of removed) {
        const groups = (r.groups ?? []).map((g) => JSON.stringify(g)).join(" ");
        log.info(
          `removing identity "${arn}" from auth ConfigMap (username = "${r.username ?? ""}", groups = [${groups}])`,
        );
      }
    }
    await writeAuthMap(kube, m);
  },
};
