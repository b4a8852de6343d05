import { log } from "../../log.ts";
import { eksErrors } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import { nodegroupOf, nodegroupOut } from "../nodegroups.ts";
import { nowMs, type Op } from "../op.ts";
import { kickNodegroup } from "../rollout-kick.ts";

// DeleteNodegroup (DELETE /clusters/{name}/node-groups/{nodegroupName}). The group turns DELETING and the
// answer comes at once; the rollout loop (rollout-delete.ts) then cordons and drains its nodes, PodDisruption
// Budgets respected up to the eviction deadline, terminates the instances and removes the record, after which
// DescribeNodegroup answers 404 (`aws eks wait nodegroup-deleted`). Deleting a group already DELETING (or
// DELETE_FAILED) starts the loop again.

export const deleteNodegroup: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const name = req.params.nodegroupName;
  const members = { clusterName: cluster, nodegroupName: name };
  const marked = await mutateCluster(ctx, cluster, (doc) => {
    const ng = nodegroupOf(doc, name);
    if (ng.status === "CREATING" || ng.status === "UPDATING")
      throw eksErrors.inUse(
        `Nodegroup ${name} is currently in ${ng.status} state and can't be deleted.`,
        members,
      );
    if (ng.status !== "DELETING") {
      ng.status = "DELETING";
      ng.deleteStartedAt = nowMs(ctx);
      delete ng.healthIssues;
    }
    ng.modifiedAt = nowMs(ctx);
    return structuredClone(ng);
  });
  const ng = marked.result;
  try {
    await kickNodegroup(ctx, cluster, name);
  } catch (e) {
    // The group stays DELETING; repeating the call starts the loop again.
    log("error", "could not start the node group delete", { cluster, nodegroup: name, error: String(e) });
    await mutateCluster(ctx, cluster, (doc) => {
      const cur = doc.nodegroups?.[name];
      if (cur?.arn !== ng.arn || cur.status !== "DELETING") return;
      cur.status = "DELETE_FAILED";
      cur.healthIssues = [
        { code: "InternalFailure", message: String((e as Error).message ?? e), resourceIds: [] },
      ];
    }).catch(() => undefined);
  }
  return { nodegroup: nodegroupOut(cluster, ng) };
};
