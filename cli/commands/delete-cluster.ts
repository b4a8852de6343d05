import { DeleteAddonCommand, DeleteClusterCommand, DeleteNodegroupCommand } from "@aws-sdk/client-eks";
import { describeCluster, kubeFor } from "../cluster.ts";
import type { Command, Flags } from "../command.ts";
import { CliError } from "../command.ts";
import { apiFlags, configFileFlag, deadline, optionalName, waitFlag } from "../common-flags.ts";
import { identityOf, loadConfigFile, refuseWithFile } from "../config-file.ts";
import { listAddons } from "../create/addons.ts";
import type { StepContext } from "../create/context.ts";
import { findCluster } from "../create/control-plane.ts";
import { deleteFargateProfile, listFargateProfiles } from "../create/fargate.ts";
import { describeNodegroup, listNodegroups } from "../create/nodegroups.ts";
import {
  DrainTimeout,
  drainFlags,
  drainNodegroup,
  drainOptionsFrom,
  nodegroupSelector,
  startLine,
} from "../drain.ts";
import { awsErrorText, awsOptionsFrom, createAws, isNotFound } from "../eks-client.ts";
import { type Kube, KubeAccessError } from "../kube.ts";
import { defaultKubeconfigPath, removeEksctlKubeconfig } from "../kubeconfig.ts";
import { waitUntil } from "../logger.ts";

const NODEGROUP_TYPE_TAG = "alpha.eksctl.io/nodegroup-type";

// `delete cluster`: Fargate profiles, add-ons, unmanaged node groups drained from the client (as eksctl
// does), node groups (managed ones drained by the service as they go), then the control plane. Works on
// whatever a half-finished create left behind.

/** How long a PodDisruptionBudget may hold a group's drain when the whole cluster is going. */
const CLUSTER_DRAIN_MS = 2 * 60_000;

/**
 * eksctl drains unmanaged node groups from the client (EKS drains managed ones itself as they are deleted).
 * Unlike eksctl, which waits out --timeout (25 minutes), a drain a PodDisruptionBudget holds gives up after
 * two minutes with a warning: the whole cluster is going, and a budget such as coredns's (every node cordoned,
 * no room for a replacement) would otherwise hold it to the end. Without access to the cluster's Kubernetes
 * API the drain is skipped with a warning; EKS still drains every group before it terminates the nodes.
 */
async function drainUnmanaged(ctx: StepContext, flags: Flags, names: string[]): Promise<void> {
  const unmanaged: string[] = [];
  for (const n of names) {
    const ng = await describeNodegroup(ctx, n);
    if (ng?.tags?.[NODEGROUP_TYPE_TAG] === "unmanaged") unmanaged.push(n);
  }
  const o = drainOptionsFrom(flags, flags.bool("disable-nodegroup-eviction"));
  const timeoutMs = Math.min(o.timeoutMs, CLUSTER_DRAIN_MS);
  ctx.log.info(`will drain ${unmanaged.length} unmanaged nodegroup(s) in cluster "${ctx.cluster}"`);
  ctx.log.info(startLine(o.parallel));
  if (unmanaged.length === 0) return;
  let kube: Kube;
  try {
    kube = await kubeFor(ctx.aws, ctx.cluster);
    await kube.get("/api/v1/nodes?limit=1"); // access is refused here, once, rather than per group
  } catch (e) {
    if (!(e instanceof KubeAccessError)) throw e;
    ctx.log.warning(`could not drain unmanaged nodegroups: ${e.message}`);
    return;
  }
  for (const n of unmanaged) {
    try {
      await drainNodegroup(kube, ctx.log, n, nodegroupSelector(n), {
        ...o,
        timeoutMs,
        deadline: Date.now() + timeoutMs,
      });
    } catch (e) {
      if (!(e instanceof DrainTimeout)) throw e;
      ctx.log.warning(`${e.message}; its nodes go with the nodegroup`);
    }
  }
}

async function deleteNodegroups(ctx: StepContext, names: string[]): Promise<void> {
  if (names.length === 0) return;
  ctx.log.info(`will delete ${names.length} nodegroups from cluster "${ctx.cluster}"`);
  await Promise.all(
    names.map(async (n) => {
      try {
        await ctx.aws.eks.send(new DeleteNodegroupCommand({ clusterName: ctx.cluster, nodegroupName: n }));
      } catch (e) {
        if (!isNotFound(e)) throw new CliError(`deleting nodegroup "${n}": ${awsErrorText(e)}`);
      }
      ctx.log.info(`deleting managed nodegroup "${n}"`);
    }),
  );
  // The control plane cannot go while node groups are attached, so this wait happens with or without --wait.
  await Promise.all(
    names.map((n) =>
      waitUntil(ctx.log, async () => ((await describeNodegroup(ctx, n)) ? undefined : true), {
        deadline: ctx.deadline,
        progress: `waiting for nodegroup "${n}" to get deleted`,
        timeoutMessage: `timed out waiting for nodegroup "${n}" to get deleted`,
      }),
    ),
  );
  ctx.log.success(`deleted ${names.length} nodegroup(s) from cluster "${ctx.cluster}"`);
}

export const command: Command = {
  verb: "delete",
  noun: "cluster",
  summary: "Delete a cluster",
  args: "[NAME]",
  flags: [
    { name: "name", short: "n", type: "string", usage: "EKS cluster name" },
    configFileFlag,
    waitFlag(false),
    { name: "force", type: "bool", usage: "Force deletion to continue when errors occur" },
    ...drainFlags("disable-nodegroup-eviction"),
    {
      name: "kubeconfig",
      type: "string",
      usage: "path to the kubeconfig to remove the cluster's entries from",
    },
    ...apiFlags(),
  ],
  async run({ flags, args, log }) {
    let name: string | undefined;
    let opts = awsOptionsFrom(flags);
    const file = flags.string("config-file");
    if (file) {
      refuseWithFile(flags, args, ["name", "region"]);
      const cfg = loadConfigFile(file, log);
      const id = identityOf(cfg);
      name = id.name;
      opts = { ...opts, region: id.region };
    } else {
      name = optionalName(flags, args);
      if (!name) throw new CliError("--name must be set");
    }
    const aws = createAws(opts);
    const ctx: StepContext = { aws, log, cluster: name, deadline: deadline(flags) };
    await describeCluster(aws, name);
    log.info(`deleting EKS cluster "${name}"`);
    const t0 = performance.now();
    const profiles = await listFargateProfiles(ctx).catch((e) => {
      // An EKS endpoint without Fargate support has no profiles to delete.
      if (e instanceof Error && (e.name === "UnknownOperationException" || e.name === "NotFoundException"))
        return [];
      throw e;
    });
    for (const p of profiles) await deleteFargateProfile(ctx, p, true);
    log.info(`deleted ${profiles.length} Fargate profile(s)`);
    const kubeconfig = flags.string("kubeconfig") ?? defaultKubeconfigPath();
    if (removeEksctlKubeconfig(kubeconfig, name, aws.region)) log.success("kubeconfig has been updated");
    // Add-ons first: their pods then need no evicting when the node groups drain.
    for (const a of await listAddons(ctx)) {
      try {
        await aws.eks.send(new DeleteAddonCommand({ clusterName: name, addonName: a }));
        log.info(`deleting addon: ${a}`);
      } catch (e) {
        if (!isNotFound(e)) throw new CliError(`deleting addon "${a}": ${awsErrorText(e)}`);
      }
    }
    // After the add-ons: the coredns add-on's PodDisruptionBudget would hold the drain to its deadline.
    const nodegroups = await listNodegroups(ctx);
    await drainUnmanaged(ctx, flags, nodegroups);
    await deleteNodegroups(ctx, nodegroups);
    try {
      await aws.eks.send(new DeleteClusterCommand({ name }));
    } catch (e) {
      if (!isNotFound(e)) throw new CliError(`deleting cluster "${name}": ${awsErrorText(e)}`);
    }
    log.info(`will delete cluster control plane "${name}"`);
    if (flags.bool("wait")) {
      await waitUntil(log, async () => ((await findCluster(ctx)) ? undefined : true), {
        deadline: ctx.deadline,
        progress: `waiting for cluster "${name}" to get deleted`,
        timeoutMessage: `timed out waiting for cluster "${name}" to get deleted`,
      });
      log.success("all cluster resources were deleted");
      log.info(`cluster deletion took ${((performance.now() - t0) / 1000).toFixed(1)}s`);
    } else {
      log.success(`all cluster resources were deleted`);
    }
  },
};
