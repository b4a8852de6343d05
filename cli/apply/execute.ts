import {
  AssociateAccessPolicyCommand,
  type Cluster,
  CreateAccessEntryCommand,
  CreatePodIdentityAssociationCommand,
  DeleteAccessEntryCommand,
  DeleteAddonCommand,
  DeleteNodegroupCommand,
  DeletePodIdentityAssociationCommand,
  DescribeUpdateCommand,
  DisassociateAccessPolicyCommand,
  type Update,
  UpdateAccessEntryCommand,
  UpdateAddonCommand,
  UpdateClusterConfigCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
  UpdatePodIdentityAssociationCommand,
} from "@aws-sdk/client-eks";
import type { IdentityMapping, PlanCall, PlanStep } from "../../lib/eksctl/plan.ts";
import { addMapping, readAuthMap, removeMapping, writeAuthMap } from "../aws-auth.ts";
import { CliError } from "../command.ts";
import { createAddons, describeAddon, waitAddon } from "../create/addons.ts";
import type { StepContext } from "../create/context.ts";
import { createFargateProfile, deleteFargateProfile } from "../create/fargate.ts";
import { createNodegroups, describeNodegroup, waitNodesReady } from "../create/nodegroups.ts";
import { createServiceAccounts, deleteServiceAccount } from "../create/service-accounts.ts";
import { awsErrorText } from "../eks-client.ts";
import type { Kube } from "../kube.ts";
import { formatElapsed, waitUntil } from "../logger.ts";
import { doneText } from "./render.ts";

// Runs an approved plan, step by step and call by call, waiting for each change to finish (an Update to
// succeed, a group to be ACTIVE with its nodes Ready, a deletion to be gone) before the next, with the log
// lines eksctl's own commands print for the same changes.

export interface ApplyContext extends StepContext {
  kube: Kube;
  /** DescribeCluster at plan time: what node groups and profiles are completed from (subnets, roles). */
  described: Cluster;
}

async function send<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new CliError(`${what}: ${awsErrorText(e)}`);
  }
}

/** Waits for an Update of the cluster (or of one of its node groups or add-ons) to leave InProgress. */
async function waitUpdate(
  ctx: ApplyContext,
  update: Update | undefined,
  of: { nodegroupName?: string; addonName?: string },
  what: string,
): Promise<void> {
  if (!update?.id) return;
  const id = update.id;
  const done = await waitUntil(
    ctx.log,
    async () => {
      const r = await ctx.aws.eks.send(new DescribeUpdateCommand({ name: ctx.cluster, updateId: id, ...of }));
      return r.update?.status === "InProgress" ? undefined : r.update;
    },
    {
      deadline: ctx.deadline,
      progress: `waiting for ${what} to complete`,
      timeoutMessage: `timed out waiting for ${what} to complete`,
    },
  );
  if (done.status !== "Successful") {
    const why = (done.errors ?? []).map((e) => `${e.errorCode}: ${e.errorMessage}`).join("; ");
    throw new CliError(`${what} ${done.status?.toLowerCase() ?? "failed"}${why ? `: ${why}` : ""}`);
  }
}

async function waitGone(ctx: ApplyContext, what: string, exists: () => Promise<boolean>): Promise<void> {
  await waitUntil(ctx.log, async () => ((await exists()) ? undefined : true), {
    deadline: ctx.deadline,
    progress: `waiting for ${what} to get deleted`,
    timeoutMessage: `timed out waiting for ${what} to get deleted`,
  });
}

async function editAuthMap(ctx: ApplyContext, mapping: IdentityMapping, put: boolean): Promise<void> {
  const m = await readAuthMap(ctx.kube);
  if (mapping.arn) {
    const removed = removeMapping(m, mapping.arn, true);
    if (put) {
      addMapping(m, mapping);
      ctx.log.info(`adding identity "${mapping.arn}" to auth ConfigMap`);
    } else
      for (const r of removed)
        ctx.log.info(
          `removing identity "${mapping.arn}" from auth ConfigMap (username = "${r.username ?? ""}", groups = ${JSON.stringify(r.groups ?? [])})`,
        );
  } else if (mapping.account) {
    m.mapAccounts = m.mapAccounts.filter((a) => a !== mapping.account);
    if (put) m.mapAccounts.push(mapping.account);
  }
  await writeAuthMap(ctx.kube, m);
}

async function run(ctx: ApplyContext, call: PlanCall): Promise<void> {
  const eks = ctx.aws.eks;
  const c = ctx.cluster;
  switch (call.op) {
    case "UpdateClusterVersion": {
      ctx.log.info(`will upgrade cluster "${c}" control plane to version "${call.input.version}"`);
      const r = await send("upgrading cluster", () => eks.send(new UpdateClusterVersionCommand(call.input)));
      await waitUpdate(ctx, r.update, {}, `upgrade of cluster "${c}"`);
      ctx.log.success(`cluster "${c}" control plane has been upgraded to version "${call.input.version}"`);
      return;
    }
    case "UpdateClusterConfig": {
      const r = await send("updating cluster config", () =>
        eks.send(new UpdateClusterConfigCommand(call.input)),
      );
      await waitUpdate(ctx, r.update, {}, `update of cluster "${c}"`);
      return;
    }
    case "CreateNodegroup":
      await createNodegroups(ctx, ctx.described, [call.input], ctx.kube);
      ctx.log.success(`created 1 managed nodegroup(s) in cluster "${c}"`);
      return;
    case "UpdateNodegroupConfig": {
      const name = call.input.nodegroupName ?? "";
      if (call.input.scalingConfig) ctx.log.info(`scaling nodegroup "${name}" in cluster ${c}`);
      const r = await send(`updating nodegroup "${name}"`, () =>
        eks.send(new UpdateNodegroupConfigCommand(call.input)),
      );
      await waitUpdate(ctx, r.update, { nodegroupName: name }, `update of nodegroup "${name}"`);
      const desired = call.input.scalingConfig?.desiredSize;
      if (desired !== undefined) {
        await waitNodesReady(ctx, ctx.kube, name, desired);
        ctx.log.info("nodegroup successfully scaled");
      }
      return;
    }
    case "UpdateNodegroupVersion": {
      const name = call.input.nodegroupName ?? "";
      const r = await send(`upgrading nodegroup "${name}"`, () =>
        eks.send(new UpdateNodegroupVersionCommand(call.input)),
      );
      ctx.log.info(`upgrade of nodegroup "${name}" in progress`);
      await waitUpdate(ctx, r.update, { nodegroupName: name }, `upgrade of nodegroup "${name}"`);
      ctx.log.info("nodegroup successfully upgraded");
      return;
    }
    case "DeleteNodegroup": {
      const name = call.input.nodegroupName ?? "";
      ctx.log.info(`will drain and delete nodegroup "${name}" from cluster "${c}"`);
      await send(`deleting nodegroup "${name}"`, () => eks.send(new DeleteNodegroupCommand(call.input)));
      await waitGone(
        ctx,
        `nodegroup "${name}"`,
        async () => (await describeNodegroup(ctx, name)) !== undefined,
      );
      ctx.log.success(`deleted 1 nodegroup(s) from cluster "${c}"`);
      return;
    }
    case "CreateFargateProfile":
      await createFargateProfile(ctx, ctx.described, call.input);
      return;
    case "DeleteFargateProfile":
      await deleteFargateProfile(ctx, call.input.fargateProfileName ?? "", true);
      return;
    case "CreateAddon":
      await createAddons(ctx, [call.input]);
      return;
    case "UpdateAddon": {
      const name = call.input.addonName ?? "";
      ctx.log.info(`updating addon: ${name}`);
      const r = await send(`updating addon "${name}"`, () => eks.send(new UpdateAddonCommand(call.input)));
      await waitUpdate(ctx, r.update, { addonName: name }, `update of addon "${name}"`);
      await waitAddon(ctx, name);
      ctx.log.info(`addon "${name}" active`);
      return;
    }
    case "DeleteAddon": {
      const name = call.input.addonName ?? "";
      ctx.log.info(`deleting addon: ${name}`);
      await send(`deleting addon "${name}"`, () => eks.send(new DeleteAddonCommand(call.input)));
      await waitGone(ctx, `addon "${name}"`, async () => (await describeAddon(ctx, name)) !== undefined);
      ctx.log.info(`deleted addon: ${name}`);
      return;
    }
    case "CreateAccessEntry":
      await send("creating access entry", () => eks.send(new CreateAccessEntryCommand(call.input)));
      ctx.log.info(`created access entry for principal ARN "${call.input.principalArn}"`);
      return;
    case "UpdateAccessEntry":
      await send("updating access entry", () => eks.send(new UpdateAccessEntryCommand(call.input)));
      return;
    case "DeleteAccessEntry":
      await send("deleting access entry", () => eks.send(new DeleteAccessEntryCommand(call.input)));
      ctx.log.info(`deleted access entry for principal ARN "${call.input.principalArn}"`);
      return;
    case "AssociateAccessPolicy":
      await send(`associating access policy "${call.input.policyArn}"`, () =>
        eks.send(new AssociateAccessPolicyCommand(call.input)),
      );
      return;
    case "DisassociateAccessPolicy":
      await send(`disassociating access policy "${call.input.policyArn}"`, () =>
        eks.send(new DisassociateAccessPolicyCommand(call.input)),
      );
      return;
    case "CreatePodIdentityAssociation":
      await send("creating pod identity association", () =>
        eks.send(new CreatePodIdentityAssociationCommand(call.input)),
      );
      return;
    case "UpdatePodIdentityAssociation":
      await send("updating pod identity association", () =>
        eks.send(new UpdatePodIdentityAssociationCommand(call.input)),
      );
      return;
    case "DeletePodIdentityAssociation":
      await send("deleting pod identity association", () =>
        eks.send(new DeletePodIdentityAssociationCommand(call.input)),
      );
      return;
    case "PutIdentityMapping":
      await editAuthMap(ctx, call.mapping, true);
      return;
    case "RemoveIdentityMapping":
      await editAuthMap(ctx, call.mapping, false);
      return;
    case "PutServiceAccount":
      await createServiceAccounts(ctx, ctx.kube, [call.account], true);
      return;
    case "RemoveServiceAccount":
      await deleteServiceAccount(ctx.kube, call.account);
      return;
  }
}

/** Runs the steps in order; a failure stops there, and a new apply plans what is left. */
export async function executePlan(ctx: ApplyContext, steps: PlanStep[]): Promise<void> {
  for (const step of steps) {
    const t0 = performance.now();
    for (const call of step.calls) await run(ctx, call);
    ctx.log.success(`${doneText(step)} (${formatElapsed(performance.now() - t0)})`);
  }
}
