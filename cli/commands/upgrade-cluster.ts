import { UpdateClusterVersionCommand } from "@aws-sdk/client-eks";
import { describeCluster } from "../cluster.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, approveFlag, configFileFlag, deadline, optionalName } from "../common-flags.ts";
import { identityOf, loadConfigFile, refuseWithFile } from "../config-file.ts";
import type { StepContext } from "../create/context.ts";
import { awsErrorText, awsOptionsFrom, createAws } from "../eks-client.ts";
import { waitForUpdate } from "../updates.ts";

// `upgrade cluster`: one minor version at a time, plan mode unless --approve (eksctl's pkg/ctl/upgrade).

const minor = (v: string) => Number(v.split(".")[1] ?? Number.NaN);

export const command: Command = {
  verb: "upgrade",
  noun: "cluster",
  summary: "Upgrade control plane to the next version",
  args: "[NAME]",
  flags: [
    { name: "name", short: "n", type: "string", usage: "EKS cluster name" },
    {
      name: "version",
      type: "string",
      default: "",
      usage: "Kubernetes version (use 'auto' or leave unset to upgrade to the next version)",
    },
    configFileFlag,
    approveFlag,
    { name: "force", type: "bool", usage: "Force the upgrade even if not all upgrade insights are passing" },
    ...apiFlags("1h5m0s"),
  ],
  async run({ flags, args, log }) {
    let opts = awsOptionsFrom(flags);
    let name: string | undefined;
    let wanted = flags.string("version") || "auto";
    const file = flags.string("config-file");
    if (file) {
      refuseWithFile(flags, args, ["name", "region"]);
      const cfg = loadConfigFile(file, log);
      const id = identityOf(cfg);
      name = id.name;
      opts = { ...opts, region: id.region };
      if (!flags.changed("version") && typeof cfg.metadata?.version === "string")
        wanted = cfg.metadata?.version;
    } else {
      name = optionalName(flags, args);
      if (!name) throw new CliError("--name must be set");
    }
    const aws = createAws(opts);
    const c = await describeCluster(aws, name);
    const current = c.version ?? "";
    const target = wanted === "auto" ? `1.${minor(current) + 1}` : wanted;
    if (!/^1\.\d+$/.test(target)) throw new CliError(`invalid version ${JSON.stringify(target)}`);
    if (target === current) {
      log.info("no cluster version update required");
      return;
    }
    const step = minor(target) - minor(current);
    if (step > 1) {
      throw new CliError(
        `upgrading more than one version at a time is not supported. Found upgrade from ${JSON.stringify(current)} to ${JSON.stringify(target)}. Please upgrade to ${JSON.stringify(`1.${minor(current) + 1}`)} first`,
      );
    }
    if (step < -1) {
      throw new CliError(
        `cannot roll back more than one version: from ${JSON.stringify(current)} to ${JSON.stringify(target)}`,
      );
    }
    const verb = step < 0 ? "roll back" : "upgrade";
    if (!flags.bool("approve")) {
      log.info(
        `(plan) would ${verb} cluster "${name}" control plane from current version "${current}" to "${target}"`,
      );
      log.warning("no changes were applied, run again with '--approve' to apply the changes");
      return;
    }
    log.info(`will ${verb} cluster "${name}" control plane from current version "${current}" to "${target}"`);
    let updateId: string | undefined;
    try {
      updateId = (await aws.eks.send(new UpdateClusterVersionCommand({ name, version: target }))).update?.id;
    } catch (e) {
      throw new CliError(`updating cluster version: ${awsErrorText(e)}`);
    }
    const ctx: StepContext = { aws, log, cluster: name, deadline: deadline(flags) };
    if (updateId) await log.step("control plane upgrade", () => waitForUpdate(ctx, updateId));
    log.success(`cluster "${name}" control plane has been upgraded to version "${target}"`);
    log.info("you will need to follow the upgrade procedure for all of nodegroups and add-ons");
  },
};
