import { log } from "../../log.ts";
import { EksError, eksErrors } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import { nodegroupOf, nodegroupOut, removeNodes } from "../nodegroups.ts";
import { nowMs, type Op } from "../op.ts";

// DeleteNodegroup (DELETE /clusters/{name}/node-groups/{nodegroupName}). The group turns DELETING, its Node
// objects are deleted and its instances terminated, and the record goes (404 afterwards). If that fails it
// stays as DELETE_FAILED with the reason in its health. Nodes are not drained yet: their pods go with them.

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
    ng.status = "DELETING";
    ng.modifiedAt = nowMs(ctx);
    return ng;
  });
  const ng = marked.result;
  let failure: unknown;
  try {
    await removeNodes(ctx, cluster, ng);
  } catch (e) {
    failure = e;
    log("error", "eks node group delete failed", { cluster, nodegroup: name, error: String(e) });
  }
  try {
    await mutateCluster(ctx, cluster, (doc) => {
      const current = doc.nodegroups?.[name];
      if (!current || current.arn !== ng.arn) return;
      if (failure === undefined) delete doc.nodegroups![name];
      else {
        current.status = "DELETE_FAILED";
        current.healthIssues = [
          {
            code: "InternalFailure",
            message: String((failure as Error).message ?? failure),
            resourceIds: [],
          },
        ];
      }
    });
  } catch (e) {
    if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
  }
  return { nodegroup: nodegroupOut(cluster, ng) };
};
