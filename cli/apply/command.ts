import { instanceType } from "../../lib/capacity/catalog.ts";
import { zonesOf } from "../../lib/capacity/regions.ts";
import { clusterRequests, unsupportedFeatures } from "../../lib/eksctl/index.ts";
import { planApply } from "../../lib/eksctl/plan.ts";
import { describeCluster, kubeFor } from "../cluster.ts";
import { CliError, type Command } from "../command.ts";
import { apiFlags, approveFlag, configFileFlag, deadline } from "../common-flags.ts";
import { identityOf, loadConfigFile, refuseWithFile } from "../config-file.ts";
import { awsOptionsFrom, createAws } from "../eks-client.ts";
import { callerArn } from "../sts.ts";
import { type ApplyContext, executePlan } from "./execute.ts";
import { planSummary, planText } from "./render.ts";
import { principalOfCaller, readState } from "./state.ts";

// `kumulus apply -f cluster.yaml [--approve]`: what eksctl users have asked for since 2020 (eksctl#2774).
// It reads the running cluster, prints the plan that takes it to the file, and changes it only with
// --approve, in eksctl's plan-mode manner (`upgrade cluster`, `delete nodegroup -f`).

export const command: Command = {
  verb: "apply",
  summary: "Reconcile a running cluster with a ClusterConfig file (prints the plan; --approve applies it)",
  flags: [configFileFlag, approveFlag, ...apiFlags()],
  async run({ flags, args, log }) {
    const file = flags.string("config-file");
    if (!file) throw new CliError("--config-file/-f <file> must be set");
    // The file names the cluster and its region, as for `create cluster -f`.
    refuseWithFile(flags, args, ["region"]);
    const cfg = loadConfigFile(file, log);
    const { name, region } = identityOf(cfg);
    const refused = unsupportedFeatures(cfg, { instanceTypeExists: (t) => instanceType(t) !== undefined });
    if (refused.length) {
      for (const r of refused.slice(0, -1)) log.critical(r);
      throw new CliError(refused[refused.length - 1]);
    }
    const aws = createAws({ ...awsOptionsFrom(flags), region });
    const caller = await callerArn(aws);
    // The same requests `create cluster -f` sends: placeholder role ARNs in the caller's account, subnets
    // over the region's zones.
    const want = clusterRequests(cfg, {
      account: caller.split(":")[4] || undefined,
      regionZones: zonesOf(aws.region),
    });
    const described = await describeCluster(aws, name);
    const kube = await kubeFor(aws, name, described);
    const ctx: ApplyContext = { aws, log, cluster: name, deadline: deadline(flags), kube, described };

    const t0 = performance.now();
    const have = await readState(ctx, described, kube);
    const plan = planApply(want, have, { keepPrincipals: [principalOfCaller(caller)] });
    log.debug(`read cluster "${name}" in ${Math.round(performance.now() - t0)}ms`);

    log.info(`comparing cluster "${name}" in "${aws.region}" region with ${JSON.stringify(file)}`);
    if (plan.refusals.length) {
      for (const r of plan.refusals) log.critical(r);
      throw new CliError(
        `cannot apply ${JSON.stringify(file)} to cluster "${name}": ${plan.refusals.join("; ")}`,
      );
    }
    if (plan.steps.length === 0) {
      log.info(`no changes: cluster "${name}" matches ${JSON.stringify(file)}`);
      return;
    }
    log.info(planSummary(plan));
    log.out.write(planText(plan));
    if (!flags.bool("approve")) {
      log.warning("no changes were applied, run again with '--approve' to apply the changes");
      return;
    }
    await executePlan(ctx, plan.steps);
    log.success(`applied ${plan.steps.length} change(s) to cluster "${name}"`);
  },
};
