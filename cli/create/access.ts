import {
  AssociateAccessPolicyCommand,
  type AssociateAccessPolicyCommandInput,
  CreateAccessEntryCommand,
  type CreateAccessEntryCommandInput,
  CreatePodIdentityAssociationCommand,
  type CreatePodIdentityAssociationCommandInput,
} from "@aws-sdk/client-eks";
import { CliError } from "../command.ts";
import { awsErrorText, isInUse } from "../eks-client.ts";
import type { StepContext } from "./context.ts";

// Access entries with their policies, and pod identity associations: each skipped when it already exists,
// so a retried create picks up where the last one stopped.

export async function createAccessEntries(
  ctx: StepContext,
  entries: { entry: CreateAccessEntryCommandInput; policies: AssociateAccessPolicyCommandInput[] }[],
): Promise<void> {
  for (const { entry, policies } of entries) {
    const arn = entry.principalArn!;
    try {
      await ctx.aws.eks.send(new CreateAccessEntryCommand({ ...entry, clusterName: ctx.cluster }));
      ctx.log.info(`created access entry for principal ARN "${arn}"`);
    } catch (e) {
      if (!isInUse(e))
        throw new CliError(`creating access entry for principal ARN "${arn}": ${awsErrorText(e)}`);
      ctx.log.info(`access entry for principal ARN "${arn}" already exists, skipping`);
    }
    for (const p of policies) {
      try {
        await ctx.aws.eks.send(
          new AssociateAccessPolicyCommand({ ...p, clusterName: ctx.cluster, principalArn: arn }),
        );
      } catch (e) {
        throw new CliError(`associating access policy "${p.policyArn}" with "${arn}": ${awsErrorText(e)}`);
      }
    }
  }
}

export async function createPodIdentityAssociations(
  ctx: StepContext,
  inputs: CreatePodIdentityAssociationCommandInput[],
): Promise<void> {
  for (const input of inputs) {
    const who = `${input.namespace}/${input.serviceAccount}`;
    try {
      await ctx.aws.eks.send(new CreatePodIdentityAssociationCommand({ ...input, clusterName: ctx.cluster }));
      ctx.log.info(`created pod identity association for service account "${who}"`);
    } catch (e) {
      if (!isInUse(e))
        throw new CliError(`creating pod identity association for "${who}": ${awsErrorText(e)}`);
      ctx.log.info(`pod identity association for service account "${who}" already exists, skipping`);
    }
  }
}
