import { UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, deadline, optionalName, requireName, waitFlag } from "../common-flags.ts";
import type { StepContext } from "../create/context.ts";
import { describeNodegroup } from "../create/nodegroups.ts";
import { awsErrorText, awsOptionsFrom, createAws } from "../eks-client.ts";
import { checkSizes } from "../nodegroup-flags.ts";
import { waitForUpdate } from "../updates.ts";

export const command: Command = {
  verb: "scale",
  noun: "nodegroup",
  summary: "Scale a nodegroup",
  args: "[NAME]",
  flags: [
    clusterFlag,
    { name: "name", short: "n", type: "string", usage: "Name of the nodegroup to scale" },
    { name: "nodes", short: "N", type: "int", default: -1, usage: "desired number of nodes (required)" },
    { name: "nodes-min", short: "m", type: "int", default: -1, usage: "minimum number of nodes" },
    { name: "nodes-max", short: "M", type: "int", default: -1, usage: "maximum number of nodes" },
    waitFlag(false),
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const cluster = requireName(flags, [], "cluster");
    const name = optionalName(flags, args);
    if (!name)
      throw new CliError(
        "a config file is required when --name is not set or when scaling multiple nodegroups",
      );
    const opt = (f: string) => (flags.changed(f) ? flags.int(f) : undefined);
    const desired = opt("nodes");
    const min = opt("nodes-min");
    const max = opt("nodes-max");
    if (desired === undefined && min === undefined && max === undefined) {
      throw new CliError("at least one of minimum, maximum and desired nodes must be set");
    }
    checkSizes(desired, min, max);
    const aws = createAws(awsOptionsFrom(flags));
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    const ng = await describeNodegroup(ctx, name);
    if (!ng) throw new CliError(`nodegroup with name ${name} not found`);
    // Fields not given keep their current values, checked together as EKS will.
    const cur = ng.scalingConfig ?? {};
    checkSizes(desired ?? cur.desiredSize, min ?? cur.minSize, max ?? cur.maxSize);
    log.info(`scaling nodegroup "${name}" in cluster ${cluster}`);
    let updateId: string | undefined;
    try {
      const out = await aws.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: cluster,
          nodegroupName: name,
          scalingConfig: {
            desiredSize: desired ?? cur.desiredSize,
            minSize: min ?? cur.minSize,
            maxSize: max ?? cur.maxSize,
          },
        }),
      );
      updateId = out.update?.id;
    } catch (e) {
      throw new CliError(`failed to scale nodegroup for cluster "${cluster}", error: ${awsErrorText(e)}`);
    }
    log.info("initiated scaling of nodegroup");
    if (flags.bool("wait")) {
      if (updateId) await waitForUpdate(ctx, updateId, name);
      log.info("nodegroup successfully scaled");
    } else {
      log.info(
        `to see the status of the scaling run \`kumulus get nodegroup --cluster ${cluster} --region ${aws.region} --name ${name}\``,
      );
    }
  },
};
