import { kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { apiFlags, approveFlag, clusterFlag, configFileFlag } from "../common-flags.ts";
import { drainFlags, drainNodegroup, drainOptionsFrom, nodegroupSelector, startLine } from "../drain.ts";
import { nodegroupTargets } from "../nodegroup-targets.ts";

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
    const { aws, cluster, names, plan } = await nodegroupTargets(flags, args, log);
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
