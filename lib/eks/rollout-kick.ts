import { log } from "../log.ts";
import { runtimeEnv } from "../runtime/env.ts";
import { itemId, sendWorkItems } from "../runtime/queues.ts";
import { inlineRollouts } from "./node-host.ts";
import type { EksContext } from "./repo.ts";
import { stepNodegroup } from "./rollout-step.ts";

// How an EKS operation hands a node group's rollout or delete to the loop that carries it out: a work item
// for the "nodegroup-rollout" controller (lib/fleet/nodegroup-rollout.ts) on the controllers queue, keyed by
// the group, so the API answers at once and the steps run in the controllers function. Without a queue (an
// embedded EKS API, the unit tests) the steps run inline before the call returns.

export const ROLLOUT_CONTROLLER = "nodegroup-rollout";

const INLINE_STEPS = 500;

export async function kickNodegroup(ctx: EksContext, cluster: string, nodegroup: string): Promise<void> {
  if (!inlineRollouts() && runtimeEnv().queues.controllers) {
    const item = { cluster, controller: ROLLOUT_CONTROLLER, key: nodegroup };
    await sendWorkItems("controllers", [{ item, group: itemId(item) }]);
    return;
  }
  for (let n = 0; n < INLINE_STEPS; n++) {
    const r = await stepNodegroup(ctx, cluster, nodegroup, { retryFailures: false });
    if (r.done) return;
    // A simulated clock (tests) does not move while we wait; a real one does, a little.
    await new Promise((res) => setTimeout(res, Math.min(50, (r.requeueAfterSeconds ?? 0) * 1000)));
  }
  log("warn", "node group steps did not finish inline", { cluster, nodegroup });
}
