import {
  type Cluster,
  CreateClusterCommand,
  type CreateClusterCommandInput,
  DescribeClusterCommand,
} from "@aws-sdk/client-eks";
import { CliError } from "../command.ts";
import { awsErrorText, isInUse, isNotFound } from "../eks-client.ts";
import { formatDuration } from "../flags.ts";
import { waitUntil } from "../logger.ts";
import type { StepContext } from "./context.ts";

// The control plane: created, or found from an earlier attempt (eksctl users' top complaint is a retry that
// fails with AlreadyExists), then waited for until ACTIVE.

export async function findCluster(ctx: StepContext): Promise<Cluster | undefined> {
  try {
    return (await ctx.aws.eks.send(new DescribeClusterCommand({ name: ctx.cluster }))).cluster;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function ensureControlPlane(
  ctx: StepContext,
  input: CreateClusterCommandInput,
): Promise<Cluster> {
  const existing = await findCluster(ctx);
  if (existing) {
    if (existing.status === "DELETING") {
      throw new CliError(
        `cluster "${ctx.cluster}" is being deleted; wait for the deletion to finish and try again`,
      );
    }
    if (existing.status === "FAILED") {
      throw new CliError(
        `cluster "${ctx.cluster}" is in status FAILED; to cleanup resources, run 'kumulus delete cluster --region=${ctx.aws.region} --name=${ctx.cluster}'`,
      );
    }
    ctx.log.info(`control plane "${ctx.cluster}" already exists (status ${existing.status}), will reuse it`);
  } else {
    try {
      await ctx.aws.eks.send(new CreateClusterCommand(input));
      ctx.log.info(`creating cluster control plane "${ctx.cluster}"`);
    } catch (e) {
      // Created concurrently, or by a previous attempt whose response was lost: carry on with it.
      if (!isInUse(e))
        throw new CliError(`creating cluster control plane "${ctx.cluster}": ${awsErrorText(e)}`);
      ctx.log.info(`control plane "${ctx.cluster}" already exists, will reuse it`);
    }
  }
  return waitActive(ctx);
}

export async function waitActive(ctx: StepContext): Promise<Cluster> {
  const timeout = formatDuration(ctx.deadline - Date.now());
  return waitUntil(
    ctx.log,
    async () => {
      const c = await findCluster(ctx);
      if (!c) throw new CliError(`cluster "${ctx.cluster}" disappeared while waiting for it to become ready`);
      if (c.status === "FAILED") throw new CliError(`control plane "${ctx.cluster}" failed to create`);
      return c.status === "ACTIVE" && c.endpoint ? c : undefined;
    },
    {
      deadline: ctx.deadline,
      progress: "waiting for the control plane to become ready",
      timeoutMessage: `timed out waiting for control plane "${ctx.cluster}" after ${timeout}`,
    },
  );
}
