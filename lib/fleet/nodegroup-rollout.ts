import { ROLLOUT_CONTROLLER } from "../eks/rollout-kick.ts";
import { stepNodegroup } from "../eks/rollout-step.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { fleetContextFor } from "./context.ts";

// The loop behind UpdateNodegroupVersion and DeleteNodegroup: one work item per node group (key = its name)
// on the controllers queue. Each run does one bounded step (lib/eks/rollout-step.ts: launch replacements,
// drain up to maxUnavailable old nodes for a few seconds, remove what drained, finish) and, until the group
// is done, puts the item back after a short delay through the timers queue. The state lives in the cluster
// document and the capacity table, so a redelivered or duplicated item only repeats a step.

async function reconcile(item: WorkItem): Promise<void> {
  const r = await stepNodegroup(await fleetContextFor(item.cluster), item.cluster, item.key);
  if (r.done) return;
  log("debug", "node group rollout continues", {
    cluster: item.cluster,
    nodegroup: item.key,
    afterSeconds: r.requeueAfterSeconds,
  });
  await requeueAfter([
    {
      queue: "controllers",
      item: { cluster: item.cluster, controller: ROLLOUT_CONTROLLER, key: item.key },
      afterSeconds: r.requeueAfterSeconds ?? 1,
    },
  ]);
}

export const nodegroupRolloutModule: ControllerModule = {
  name: ROLLOUT_CONTROLLER,
  reconcilers: { controllers: { [ROLLOUT_CONTROLLER]: reconcile } },
};
