import { clusterRequests } from "../../lib/eksctl/index.ts";
import { kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, approveFlag, clusterFlag, configFileFlag, deadline } from "../common-flags.ts";
import { readClusterFile, refuseWithFile } from "../config-file.ts";
import type { StepContext } from "../create/context.ts";
import { describeNodegroup, listNodegroups } from "../create/nodegroups.ts";
import { drainFlags, drainNodegroup, drainOptionsFrom, nodegroupSelector, startLine } from "../drain.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";

// `drain nodegroup`: cordon and drain a node group's nodes from the client (cli/drain.ts), or with --undo
// uncordon them. With -f it plans until --approve, as eksctl's config-file commands do. Every simulated node
// group is a managed one, so eksctl's "nodegroup(s)" line (unmanaged) always counts 0 here.

export const command: Command = {
  verb: "drain",
  noun: "nodegroup",
  summary: "Cordon and drain a nodegroup",
  args: "[NAME]",
  flags: [
    clusterFlag,
    { name: "name", short: "n", type: "string", usage: "Name of the nodegroup to drain" },
    configFileFlag,
    approveFlag,
    {
      name: "only-missing",
      type: "bool",
      usage: "Only drain nodegroups that are not defined in the given config file",
    },
    { name: "undo", type: "bool", usage: "Uncordon the nodegroup" },
    ...drainFlags("disable-eviction"),
    {
      name: "node-drain-wait-period",
      type: "duration",
      default: "0s",
      usage: "Amount of time to wait between draining nodes in a nodegroup",
    },
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const o = { ...drainOptionsFrom(flags, flags.bool("disable-eviction")), undo: flags.bool("undo") };
    const file = flags.string("config-file");
    let opts = awsOptionsFrom(flags);
    let cluster: string;
    let names: string[];
    let plan = false;
    if (file) {
      refuseWithFile(flags, args, ["cluster", "name", "region"]);
      const read = readClusterFile(file, log);
      cluster = read.cluster;
      opts = { ...opts, region: read.region };
      const inFile = clusterRequests(read.cfg).nodegroups.map((n) => n.nodegroupName!);
      const ctx0: StepContext = { aws: createAws(opts), log, cluster, deadline: deadline(flags) };
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
    const aws = createAws(opts);
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    if (!file && !(await describeNodegroup(ctx, names[0])))
      throw new CliError(`nodegroup ${JSON.stringify(names[0])} not found`);
    const verb = o.undo ? "uncordon" : "drain";
    const intended = plan ? "(plan) would" : "will";
    log.info(`${intended} ${verb} 0 nodegroup(s) in cluster "${cluster}"`);
    log.info(`${intended} ${verb} ${names.length} managed nodegroup(s) in cluster "${cluster}"`);
    if (plan) {
      if (names.length > 0)
        log.warning("no changes were applied, run again with '--approve' to apply the changes");
      return;
    }
    const kube = await kubeFor(aws, cluster);
    for (const n of names) {
      if (!o.undo) log.info(startLine(o.parallel));
      await drainNodegroup(kube, log, n, nodegroupSelector(n), o);
    }
  },
};
