import { DescribeUpdateCommand } from "@aws-sdk/client-eks";
import { CliError } from "./command.ts";
import type { StepContext } from "./create/context.ts";
import { waitUntil } from "./logger.ts";

/** Waits for an EKS update (UpdateNodegroupConfig/Version, UpdateClusterVersion) to finish. */
export async function waitForUpdate(
  ctx: StepContext,
  updateId: string,
  nodegroupName?: string,
): Promise<void> {
  await waitUntil(
    ctx.log,
    async () => {
      const u = (
        await ctx.aws.eks.send(new DescribeUpdateCommand({ name: ctx.cluster, updateId, nodegroupName }))
      ).update;
      if (u?.status === "Failed" || u?.status === "Cancelled") {
        const errs = (u.errors ?? []).map((e) => `${e.errorCode}: ${e.errorMessage}`).join("; ");
        throw new CliError(`update ${updateId} ${u.status.toLowerCase()}${errs ? `: ${errs}` : ""}`);
      }
      return u?.status === "Successful" ? u : undefined;
    },
    {
      deadline: ctx.deadline,
      progress: `waiting for update "${updateId}" to complete`,
      timeoutMessage: `timed out waiting for update "${updateId}" to complete`,
    },
  );
}
