import { clusterRequests } from "../../lib/eksctl/index.ts";
import { describeCluster, kubeFor } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, clusterFlag, configFileFlag, deadline, optionalName } from "../common-flags.ts";
import { readClusterFile } from "../config-file.ts";
import type { StepContext } from "../create/context.ts";
import { createNodegroups, listNodegroups, type NodegroupRequest } from "../create/nodegroups.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { nodegroupFlags, nodegroupInputFromFlags } from "../nodegroup-flags.ts";

/** eksctl's --include/--exclude: comma-separated globs over nodegroup names. */
function globMatch(patterns: string[], name: string): boolean {
  return patterns.some((p) =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    ).test(name),
  );
}

export const command: Command = {
  verb: "create",
  noun: "nodegroup",
  summary: "Create a nodegroup",
  args: "[NAME]",
  flags: [
    clusterFlag,
    ...nodegroupFlags,
    configFileFlag,
    {
      name: "include",
      type: "stringSlice",
      usage: "nodegroups to include (list of globs), e.g.: 'ng-team-?,prod-*'",
    },
    {
      name: "exclude",
      type: "stringSlice",
      usage: "nodegroups to exclude (list of globs), e.g.: 'ng-team-?,prod-*'",
    },
    {
      name: "skip-outdated-addons-check",
      type: "bool",
      usage: "whether the creation of ARM nodegroups should proceed when the cluster addons are outdated",
    },
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    const file = flags.string("config-file");
    let cluster: string;
    let opts = awsOptionsFrom(flags);
    let wanted: NodegroupRequest[];
    if (file) {
      const read = readClusterFile(file, flags, args, log, [
        ...nodegroupFlags.map((f) => f.name),
        "cluster",
        "region",
      ]);
      const cfg = read.cfg;
      cluster = read.cluster;
      opts = read.opts;
      const include = flags.list("include");
      const exclude = flags.list("exclude");
      wanted = clusterRequests(cfg).nodegroups.filter(
        (n) =>
          (include.length === 0 || globMatch(include, n.nodegroupName!)) &&
          !globMatch(exclude, n.nodegroupName!),
      );
    } else {
      cluster = flags.string("cluster") ?? "";
      if (!cluster) throw new CliError("--cluster must be set");
      optionalName(flags, args); // the --name/NAME conflict; the group itself is read from the flags below
      wanted = [];
    }
    const aws = createAws(opts);
    const c = await describeCluster(aws, cluster);
    const ctx: StepContext = { aws, log, cluster, deadline: deadline(flags) };
    if (!file) {
      const input = nodegroupInputFromFlags(flags, cluster, c.version ?? "");
      if (args[0]) {
        input.nodegroupName = args[0];
      }
      wanted = [input];
    }
    log.info(`will use version ${c.version} for new nodegroup(s) based on control plane version`);
    const existing = new Set(await listNodegroups(ctx));
    const missing = wanted.filter((w) => !existing.has(w.nodegroupName!));
    if (!file && missing.length === 0) {
      throw new CliError(
        `creating managed nodegroup "${wanted[0].nodegroupName}": ResourceInUseException: NodeGroup already exists with name ${wanted[0].nodegroupName} and cluster name ${cluster}`,
      );
    }
    log.info(`will create ${missing.length} managed nodegroup(s) in cluster "${cluster}"`);
    const kube = await kubeFor(aws, cluster, c);
    const created = await log.step("managed nodegroups", () => createNodegroups(ctx, c, wanted, kube));
    log.success(`created ${created} managed nodegroup(s) in cluster "${cluster}"`);
  },
};
