import { nodegroupOf } from "../nodegroups.ts";
import { type OpRequest, queryOne } from "../op.ts";
import type { ClusterDoc, UpdateDoc } from "../repo.ts";
import { updatesInScope } from "./update-scope.ts";

// DescribeUpdate and ListUpdates with `nodegroupName`: that group's updates (UpdateNodegroupConfig), 404 for a
// group that does not exist. Without it, the cluster's or an add-on's (update-scope.ts), never a group's: as
// on EKS, a node-group update is not found without its nodegroupName.

export function scopedUpdates(doc: ClusterDoc, req: OpRequest): UpdateDoc[] {
  const nodegroup = queryOne(req, "nodegroupName");
  if (nodegroup) {
    nodegroupOf(doc, nodegroup);
    return doc.updates.filter((u) => u.nodegroupName === nodegroup);
  }
  return updatesInScope(doc, req).filter((u) => !u.nodegroupName);
}
