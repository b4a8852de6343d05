import {
  type Cluster,
  CreateFargateProfileCommand,
  type CreateFargateProfileCommandInput,
  DeleteFargateProfileCommand,
  DescribeFargateProfileCommand,
  type FargateProfile,
  ListFargateProfilesCommand,
} from "@aws-sdk/client-eks";
import { CliError } from "../command.ts";
import { awsErrorText, isInUse, isNotFound } from "../eks-client.ts";
import { waitUntil } from "../logger.ts";
import type { StepContext } from "./context.ts";

// Fargate profiles, with eksctl's messages. EKS creates and deletes one profile at a time per cluster, so
// creation is sequential (as eksctl does it).

export async function listFargateProfiles(ctx: StepContext): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ctx.aws.eks.send(
      new ListFargateProfilesCommand({ clusterName: ctx.cluster, nextToken }),
    );
    names.push(...(out.fargateProfileNames ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return names;
}

export async function describeFargateProfile(
  ctx: StepContext,
  name: string,
): Promise<FargateProfile | undefined> {
  try {
    return (
      await ctx.aws.eks.send(
        new DescribeFargateProfileCommand({ clusterName: ctx.cluster, fargateProfileName: name }),
      )
    ).fargateProfile;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function complete(
  input: CreateFargateProfileCommandInput,
  cluster: Cluster,
): CreateFargateProfileCommandInput {
  const account = cluster.arn?.split(":")[4] ?? "000000000000";
  return {
    ...input,
    clusterName: cluster.name,
    podExecutionRoleArn:
      input.podExecutionRoleArn ??
      `arn:aws:iam::${account}:role/eksctl-${cluster.name}-cluster-FargatePodExecutionRole`,
  };
}

export async function createFargateProfile(
  ctx: StepContext,
  cluster: Cluster,
  input: CreateFargateProfileCommandInput,
): Promise<"created" | "existing"> {
  const name = input.fargateProfileName!;
  if (await describeFargateProfile(ctx, name)) {
    ctx.log.info(`Fargate profile "${name}" already exists on EKS cluster "${ctx.cluster}", skipping`);
    return "existing";
  }
  ctx.log.info(`creating Fargate profile "${name}" on EKS cluster "${ctx.cluster}"`);
  try {
    await ctx.aws.eks.send(new CreateFargateProfileCommand(complete(input, cluster)));
  } catch (e) {
    if (!isInUse(e)) throw new CliError(`failed to create Fargate profile "${name}": ${awsErrorText(e)}`);
  }
  await waitUntil(
    ctx.log,
    async () => {
      const p = await describeFargateProfile(ctx, name);
      if (p?.status === "CREATE_FAILED") throw new CliError(`failed to create Fargate profile "${name}"`);
      return p?.status === "ACTIVE" ? p : undefined;
    },
    {
      deadline: ctx.deadline,
      progress: `waiting for Fargate profile "${name}" to become active`,
      timeoutMessage: `timed out waiting for Fargate profile "${name}" to become active`,
    },
  );
  ctx.log.info(`created Fargate profile "${name}" on EKS cluster "${ctx.cluster}"`);
  return "created";
}

export async function deleteFargateProfile(ctx: StepContext, name: string, wait: boolean): Promise<void> {
  if (wait) ctx.log.info(`deleting Fargate profile "${name}" on EKS cluster "${ctx.cluster}"`);
  else ctx.log.debug(`deleting Fargate profile "${name}" on EKS cluster "${ctx.cluster}"`);
  try {
    await ctx.aws.eks.send(
      new DeleteFargateProfileCommand({ clusterName: ctx.cluster, fargateProfileName: name }),
    );
  } catch (e) {
    throw new CliError(`failed to delete Fargate profile "${name}": ${awsErrorText(e)}`);
  }
  if (wait) {
    await waitUntil(ctx.log, async () => ((await describeFargateProfile(ctx, name)) ? undefined : true), {
      deadline: ctx.deadline,
      progress: `waiting for Fargate profile "${name}" to get deleted`,
      timeoutMessage: `timed out waiting for Fargate profile "${name}" to get deleted`,
    });
  }
  ctx.log.info(`deleted Fargate profile "${name}" on EKS cluster "${ctx.cluster}"`);
}
