import { UpdateAddonCommand } from "@aws-sdk/client-eks";
import { addonFlags } from "../addon-flags.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, deadline, requireName } from "../common-flags.ts";
import { describeAddon } from "../create/addons.ts";
import type { StepContext } from "../create/context.ts";
import { awsErrorText, awsOptionsFrom, createAws } from "../eks-client.ts";
import { waitForUpdate } from "../updates.ts";

export const command: Command = {
  verb: "update",
  noun: "addon",
  summary: "Update an Addon",
  flags: [...addonFlags.filter((f) => f.name !== "namespace"), ...apiFlags()],
  async run({ flags, args, log }) {
    const cluster = requireName(flags, [], "cluster");
    const name = flags.string("name") ?? args[0];
    if (!name) throw new CliError("--name is required");
    const aws = createAws(awsOptionsFrom(flags));
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    const current = await describeAddon(ctx, name);
    if (!current) throw new CliError(`addon ${name} not found`);
    const version = flags.string("version");
    log.info(`new version provided ${version ?? current.addonVersion}`);
    let updateId: string | undefined;
    try {
      const out = await aws.eks.send(
        new UpdateAddonCommand({
          clusterName: cluster,
          addonName: name,
          addonVersion: version && version !== "latest" ? version : current.addonVersion,
          serviceAccountRoleArn: flags.string("service-account-role-arn"),
          configurationValues: flags.string("configuration-values"),
          resolveConflicts: flags.bool("force") ? "OVERWRITE" : undefined,
        }),
      );
      updateId = out.update?.id;
    } catch (e) {
      throw new CliError(`failed to update addon "${name}": ${awsErrorText(e)}`);
    }
    log.info(`updating addon`);
    if (flags.bool("wait") && updateId) {
      await waitForUpdate(ctx, updateId);
      log.info(`addon "${name}" active`);
    }
  },
};
