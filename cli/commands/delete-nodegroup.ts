import { DeleteNodegroupCommand } from "@aws-sdk/client-eks";
import { clusterRequests } from "../../lib/eksctl/index.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, approveFlag, clusterFlag, configFileFlag, deadline, waitFlag } from "../common-flags.ts";
import { readClusterFile, refuseWithFile } from "../config-file.ts";
import type { StepContext } from "../create/context.ts";
import { describeNodegroup, listNodegroups } from "../create/nodegroups.ts";
import { awsErrorText, awsOptionsFrom, createAws, isNotFound } from "../eks-client.ts";
import { waitUntil } from "../logger.ts";

// `delete nodegroup`: EKS drains the nodes (PDB-respecting evictions) before it terminates them, so the CLI
// only asks and, with --wait, watches the node group go.

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
    {
      name: "disable-eviction",
      type: "bool",
      usage: "Force drain to use delete, even if eviction is supported.",
    },
    { name: "parallel", type: "int", default: 1, usage: "Number of nodes to drain in parallel. Max 25" },
    waitFlag(false),
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const parallel = flags.int("parallel") ?? 1;
    if (parallel < 1 || parallel > 25) throw new CliError("--parallel value must be of range 1-25");
    const file = flags.string("config-file");
    let opts = awsOptionsFrom(flags);
    let cluster: string;
    let names: string[];
    let plan = false;
    const aws0 = () => createAws(opts);
    if (file) {
      refuseWithFile(flags, args, ["cluster", "name", "region"]);
      const read = readClusterFile(file, log);
      const cfg = read.cfg;
      cluster = read.cluster;
      opts = { ...opts, region: read.region };
      const inFile = clusterRequests(cfg).nodegroups.map((n) => n.nodegroupName!);
      const ctx0: StepContext = { aws: aws0(), log, cluster, deadline: deadline(flags) };
      const existing = await listNodegroups(ctx0);
      names = flags.bool("only-missing")
        ? existing.filter((n) => !inFile.includes(n))
        : inFile.filter((n) => existing.includes(n));
      plan = !flags.bool("approve");
    } else {
      cluster = flags.string("cluster") ?? "";
      if (!cluster) throw new CliError("--cluster must be set");
      const n = flags.string("name");
      if (n && args[0])
        throw new CliError(`--name=${n} and argument ${args[0]} cannot be used at the same time`);
      const name = n ?? args[0];
      if (!name) throw new CliError("--name must be set");
      names = [name];
    }
    const aws = aws0();
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    if (!file && !(await describeNodegroup(ctx, names[0]))) {
      throw new CliError(`nodegroup ${JSON.stringify(names[0])} not found`);
    }
    const prefix = plan ? "(plan) would " : "will ";
    if (flags.bool("drain")) log.info(`${prefix}drain ${names.length} nodegroup(s) in cluster "${cluster}"`);
    log.info(
      `${plan ? "(plan) would have deleted" : "will delete"} ${names.length} nodegroups from cluster "${cluster}"`,
    );
    if (plan) {
      log.warning("no changes were applied, run again with '--approve' to apply the changes");
      return;
    }
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
