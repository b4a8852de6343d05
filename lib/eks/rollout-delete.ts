import { log } from "../log.ts";
import { EksError } from "./errors.ts";
import { mutateCluster } from "./mutate.ts";
import { drainTimeoutMs, registrar } from "./node-host.ts";
import { groupInstances, removeInstances } from "./nodegroups.ts";
import { nowMs } from "./op.ts";
import type { ClusterDoc, EksContext, NodegroupDoc } from "./repo.ts";
import type { StepResult } from "./rollout.ts";

// One bounded step of DeleteNodegroup: every node of the group is cordoned and its pods evicted
// (PodDisruptionBudgets respected, so they move to other capacity in their own time); a node that is empty is
// removed and its instance terminated at once. Once the drain has not moved for the scale-in drain deadline
// (drainTimeoutMs, as for UpdateNodegroupConfig's scale-in) the rest go anyway, as EKS's scale-in terminates
// after its timeout: pods with nowhere else to go (the last group's CoreDNS under its budget) cannot hold a
// delete for ever. When no instance is left the record goes and DescribeNodegroup 404s.

const STEP_DRAIN_MS = 5_000;

/**
 * Since when the drain has not moved: the delete's start, or the last step that saw fewer pods left. So a
 * budget that lets pods go a few at a time (each waiting for its replacement to be Ready) holds the delete
 * as long as it keeps moving, and one that lets nothing go (the last group's CoreDNS) only for the deadline.
 */
async function lastProgress(
  ctx: EksContext,
  cluster: string,
  ng: NodegroupDoc,
  undrained: string[],
): Promise<number> {
  const started = ng.deleteStartedAt ?? nowMs(ctx);
  const count = registrar().podsLeft;
  if (!count || undrained.length === 0) return started;
  const left = await count(cluster, undrained);
  const prev = ng.deleteProgress;
  if (prev && left >= prev.podsLeft) return prev.at;
  const progress = { podsLeft: left, at: nowMs(ctx) };
  await mutateCluster(ctx, cluster, (d) => {
    const cur = d.nodegroups?.[ng.nodegroupName];
    if (cur?.arn === ng.arn && cur.status === "DELETING") cur.deleteProgress = progress;
  });
  return prev ? progress.at : started;
}

export async function stepDelete(ctx: EksContext, doc: ClusterDoc, ng: NodegroupDoc): Promise<StepResult> {
  const instances = await groupInstances(ctx, doc.name, ng);
  if (instances.length) {
    const undrained = new Set(
      await registrar().drain(
        doc.name,
        instances.map((i) => i.privateDnsName),
        STEP_DRAIN_MS,
      ),
    );
    const overdue = nowMs(ctx) - (await lastProgress(ctx, doc.name, ng, [...undrained])) >= drainTimeoutMs();
    if (overdue && undrained.size)
      log("warn", "node group delete: pods left on nodes past the eviction deadline", {
        cluster: doc.name,
        nodegroup: ng.nodegroupName,
        nodes: [...undrained],
      });
    const remove = overdue ? instances : instances.filter((i) => !undrained.has(i.privateDnsName));
    await removeInstances(ctx, doc.name, remove);
    if (remove.length < instances.length) return { done: false, requeueAfterSeconds: 2 };
  }
  try {
    await mutateCluster(ctx, doc.name, (d) => {
      const cur = d.nodegroups?.[ng.nodegroupName];
      if (cur?.arn === ng.arn && cur.status === "DELETING") delete d.nodegroups![ng.nodegroupName];
    });
  } catch (e) {
    if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
  }
  return { done: true };
}
