import {
  type Addon,
  CreateAddonCommand,
  type CreateAddonCommandInput,
  DescribeAddonCommand,
  ListAddonsCommand,
} from "@aws-sdk/client-eks";
import { CliError } from "../command.ts";
import { awsErrorText, isInUse, isNotFound } from "../eks-client.ts";
import { waitUntil } from "../logger.ts";
import type { StepContext } from "./context.ts";

export async function listAddons(ctx: StepContext): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ctx.aws.eks.send(new ListAddonsCommand({ clusterName: ctx.cluster, nextToken }));
    names.push(...(out.addons ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return names;
}

export async function describeAddon(ctx: StepContext, name: string): Promise<Addon | undefined> {
  try {
    return (await ctx.aws.eks.send(new DescribeAddonCommand({ clusterName: ctx.cluster, addonName: name })))
      .addon;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function waitAddon(ctx: StepContext, name: string): Promise<Addon> {
  return waitUntil(
    ctx.log,
    async () => {
      const a = await describeAddon(ctx, name);
      if (!a) throw new CliError(`addon "${name}" disappeared while waiting for it to become active`);
      if (a.status === "CREATE_FAILED" || a.status === "UPDATE_FAILED" || a.status === "DEGRADED") {
        const issues = (a.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`).join("; ");
        throw new CliError(`addon "${name}" is ${a.status}${issues ? `: ${issues}` : ""}`);
      }
      return a.status === "ACTIVE" ? a : undefined;
    },
    {
      deadline: ctx.deadline,
      progress: `waiting for addon "${name}" to become active`,
      timeoutMessage: `timed out waiting for addon "${name}" to become active`,
    },
  );
}

/** Creates the add-ons that do not exist (in parallel), then waits for all of them. */
export async function createAddons(
  ctx: StepContext,
  inputs: CreateAddonCommandInput[],
  wait = true,
): Promise<void> {
  if (inputs.length === 0) return;
  const existing = new Set(await listAddons(ctx));
  await Promise.all(
    inputs.map(async (input) => {
      const name = input.addonName!;
      if (existing.has(name)) {
        ctx.log.info(`addon "${name}" already exists, skipping`);
      } else {
        ctx.log.info(`creating addon: ${name}`);
        try {
          await ctx.aws.eks.send(new CreateAddonCommand({ ...input, clusterName: ctx.cluster }));
        } catch (e) {
          if (!isInUse(e)) throw new CliError(`creating addon "${name}": ${awsErrorText(e)}`);
        }
      }
      if (wait) {
        await waitAddon(ctx, name);
        ctx.log.info(`addon "${name}" active`);
      }
    }),
  );
}
