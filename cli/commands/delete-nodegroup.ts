import { DeleteNodegroupCommand } from "@aws-sdk/client-eks";
import { kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, approveFlag, clusterFlag, configFileFlag, deadline, waitFlag } from "../common-flags.ts";
import type { StepContext } from "../create/context.ts";
import { describeNodegroup } from "../create/nodegroups.ts";
import {
  drainFlags,
  drainNodegroup,
  drainOptionsFrom,
  nodegroupSelector,
  parallelOf,
  startLine,
} from "../drain.ts";
import { awsErrorText, isNotFound } from "../eks-client.ts";
import { waitUntil } from "../logger.ts";
import { nodegroupTargets } from "../nodegroup-targets.ts";

// `delete nodegroup`: like eksctl, drains the nodes from the client first (cli/drain.ts: PDB-respecting
// evictions, or deletes with --disable-eviction; --drain=false skips it), then asks EKS to delete the group
// and, with --wait, watches it go.

export const command: Command = {
  verb: "delete",
  noun: "nodegroup",
  summary: "Delete a nodegroup",
  args: "[NAME]",
  flags: [
    clusterFlag,
    { name: "name", short: "n", type: "string", usage: "Name of the nodegroup to delete" },
    configFileFlag,
    approveFlag,
    {
      name: "only-missing",
      type: "bool",
      usage: "Only delete nodegroups that are not defined in the given config file",
    },
    {
      name: "drain",
      type: "bool",
      default: true,
      usage: "Drain and cordon all nodes in the nodegroup before deletion",
    },
    ...drainFlags("disable-eviction"),
    waitFlag(false),
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const parallel = parallelOf(flags.int("parallel"));
    const { aws, cluster, names, plan } = await nodegroupTargets(flags, args, log);
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    if (plan) {
      if (flags.bool("drain"))
        log.info(`(plan) would drain ${names.length} nodegroup(s) in cluster "${cluster}"`);
      log.info(`(plan) would have deleted ${names.length} nodegroups from cluster "${cluster}"`);
      log.warning("no changes were applied, run again with '--approve' to apply the changes");
      return;
    }
    if (flags.bool("drain")) {
      // eksctl drains from the client before it deletes; EKS's own drain then finds the nodes empty.
      log.info(`will drain ${names.length} nodegroup(s) in cluster "${cluster}"`);
      log.info(startLine(parallel));
      const kube = await kubeFor(aws, cluster);
      const o = drainOptionsFrom(flags, flags.bool("disable-eviction"));
      for (const n of names) await drainNodegroup(kube, log, n, nodegroupSelector(n), o);
    }
    log.info(`will delete ${names.length} nodegroups from cluster "${cluster}"`);
    for (const n of names) {
      try {
        await aws.eks.send(new DeleteNodegroupCommand({ clusterName: cluster, nodegroupName: n }));
      } catch (e) {
        if (!isNotFound(e)) throw new CliError(`deleting nodegroup "${n}": ${awsErrorText(e)}`);
      }
    }
    if (flags.bool("wait")) {
      await Promise.all(
        names.map((n) =>
          waitUntil(log, async () => ((await describeNodegroup(ctx, n)) ? undefined : true), {
            deadline: ctx.deadline,
            progress: `waiting for nodegroup "${n}" to get deleted`,
            timeoutMessage: `timed out waiting for nodegroup "${n}" to get deleted`,
          }),
        ),
      );
    }
    log.success(`deleted ${names.length} nodegroup(s) from cluster "${cluster}"`);
  },
};
