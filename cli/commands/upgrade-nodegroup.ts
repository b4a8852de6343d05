import { UpdateNodegroupVersionCommand } from "@aws-sdk/client-eks";
import { describeCluster } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, deadline, requireName, waitFlag } from "../common-flags.ts";
import type { StepContext } from "../create/context.ts";
import { describeNodegroup } from "../create/nodegroups.ts";
import { awsErrorText, awsOptionsFrom, createAws } from "../eks-client.ts";
import { waitForUpdate } from "../updates.ts";

export const command: Command = {
  verb: "upgrade",
  noun: "nodegroup",
  summary: "Upgrade nodegroup",
  flags: [
    clusterFlag,
    { name: "name", short: "n", type: "string", usage: "Nodegroup name" },
    { name: "kubernetes-version", type: "string", usage: "Kubernetes version" },
    { name: "release-version", type: "string", usage: "AMI version of the EKS optimized AMI to use" },
    { name: "launch-template-version", type: "string", usage: "launch template version" },
    {
      name: "force-upgrade",
      type: "bool",
      usage:
        "force the update if the existing node group's pods are unable to be drained due to a pod disruption budget issue",
    },
    waitFlag(true),
    ...apiFlags("45m0s"),
  ],
  async run({ flags, log }) {
    const cluster = requireName(flags, [], "cluster");
    const name = flags.string("name");
    if (!name) throw new CliError("--name must be set");
    if (flags.string("kubernetes-version") && flags.string("release-version")) {
      throw new CliError("only one of kubernetes-version or release-version can be specified");
    }
    const aws = createAws(awsOptionsFrom(flags));
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    const ng = await describeNodegroup(ctx, name);
    if (!ng)
      throw new CliError(
        `upgrade is only supported for managed nodegroups; could not find one with name ${JSON.stringify(name)}`,
      );
    const c = await describeCluster(aws, cluster);
    const target =
      flags.string("kubernetes-version") ?? (flags.string("release-version") ? undefined : c.version);
    if (
      target &&
      target === ng.version &&
      !flags.string("release-version") &&
      !flags.string("launch-template-version")
    ) {
      log.info(`nodegroup "${name}" is already up-to-date`);
      return;
    }
    let updateId: string | undefined;
    try {
      const out = await aws.eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName: cluster,
          nodegroupName: name,
          version: target,
          releaseVersion: flags.string("release-version"),
          launchTemplate: flags.string("launch-template-version")
            ? { ...(ng.launchTemplate ?? {}), version: flags.string("launch-template-version") }
            : undefined,
          force: flags.bool("force-upgrade") || undefined,
        }),
      );
      updateId = out.update?.id;
    } catch (e) {
      throw new CliError(`upgrading nodegroup "${name}": ${awsErrorText(e)}`);
    }
    log.info(`upgrade of nodegroup "${name}" in progress`);
    if (!flags.bool("wait")) return;
    log.info(`waiting for upgrade of nodegroup "${name}" to complete`);
    if (updateId) await log.step("nodegroup upgrade", () => waitForUpdate(ctx, updateId, name));
    log.info("nodegroup successfully upgraded");
  },
};
