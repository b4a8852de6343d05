import { DeleteAddonCommand } from "@aws-sdk/client-eks";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, deadline, requireName, waitFlag } from "../common-flags.ts";
import { describeAddon } from "../create/addons.ts";
import type { StepContext } from "../create/context.ts";
import { awsErrorText, awsOptionsFrom, createAws, isNotFound } from "../eks-client.ts";
import { waitUntil } from "../logger.ts";

export const command: Command = {
  verb: "delete",
  noun: "addon",
  summary: "Delete an Addon",
  flags: [
    clusterFlag,
    { name: "name", type: "string", usage: "Addon name" },
    {
      name: "preserve",
      type: "bool",
      usage: "Delete the Addon but preserve all of its resources in the cluster",
    },
    waitFlag(false),
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const cluster = requireName(flags, [], "cluster");
    const name = flags.string("name") ?? args[0];
    if (!name) throw new CliError("--name is required");
    const aws = createAws(awsOptionsFrom(flags));
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    log.info(`deleting addon: ${name}`);
    try {
      await aws.eks.send(
        new DeleteAddonCommand({
          clusterName: cluster,
          addonName: name,
          preserve: flags.bool("preserve") || undefined,
        }),
      );
    } catch (e) {
      if (isNotFound(e)) throw new CliError(`addon ${name} not found`);
      throw new CliError(`failed to delete addon "${name}": ${awsErrorText(e)}`);
    }
    if (flags.bool("wait")) {
      await waitUntil(log, async () => ((await describeAddon(ctx, name)) ? undefined : true), {
        deadline: ctx.deadline,
        progress: `waiting for addon "${name}" to be deleted`,
        timeoutMessage: `timed out waiting for addon "${name}" to be deleted`,
      });
    }
    log.info(`deleted addon: ${name}`);
  },
};
