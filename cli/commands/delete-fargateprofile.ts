import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, deadline, requireName, waitFlag } from "../common-flags.ts";
import type { StepContext } from "../create/context.ts";
import { deleteFargateProfile, describeFargateProfile } from "../create/fargate.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

export const command: Command = {
  verb: "delete",
  noun: "fargateprofile",
  summary: "Delete a Fargate profile",
  args: "[NAME]",
  flags: [
    clusterFlag,
    { name: "name", type: "string", usage: "Fargate profile name" },
    waitFlag(false),
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const cluster = requireName(flags, [], "cluster");
    const name = requireName(flags, args, "name");
    const aws = createAws(awsOptionsFrom(flags));
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    if (!(await describeFargateProfile(ctx, name))) {
      throw new CliError(
        `failed to delete Fargate profile "${name}": ResourceNotFoundException: No Fargate Profile found with name: ${name}.`,
      );
    }
    await deleteFargateProfile(ctx, name, flags.bool("wait"));
  },
};
