import { DeleteAccessEntryCommand } from "@aws-sdk/client-eks";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, requireName } from "../common-flags.ts";
import { awsErrorText, awsOptionsFrom, createAws } from "../eks-client.ts";

export const command: Command = {
  verb: "delete",
  noun: "accessentry",
  summary: "Delete access entries",
  flags: [
    clusterFlag,
    { name: "principal-arn", type: "string", usage: "principal ARN to which the access entry is associated" },
    ...apiFlags(),
  ],
  async run({ flags, log }) {
    const cluster = requireName(flags, [], "cluster");
    const principalArn = flags.string("principal-arn");
    if (!principalArn) throw new CliError("--principal-arn is required");
    const aws = createAws(awsOptionsFrom(flags));
    try {
      await aws.eks.send(new DeleteAccessEntryCommand({ clusterName: cluster, principalArn }));
    } catch (e) {
      throw new CliError(`deleting access entry with principalARN "${principalArn}": ${awsErrorText(e)}`);
    }
    log.info(`deleted access entry with principalARN "${principalArn}"`);
  },
};
