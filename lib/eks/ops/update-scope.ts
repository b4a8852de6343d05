import { EksError } from "../errors.ts";
import { type OpRequest, queryOne } from "../op.ts";
import type { ClusterDoc, UpdateDoc } from "../repo.ts";

// DescribeUpdate and ListUpdates read the updates of one scope: the cluster's own (no query) or an add-on's
// (`addonName`); a node group's scope is nodegroup-updates.ts. As on EKS, an add-on update is not found
// without its addonName.

export function updatesInScope(doc: ClusterDoc, req: OpRequest): UpdateDoc[] {
  const addon = queryOne(req, "addonName");
  if (addon && !doc.addons[addon]) throw addonNotFound(doc.name, addon);
  return doc.updates.filter((u) => (addon ? u.addonName === addon : !u.addonName));
}

export function addonNotFound(cluster: string, addon: string): EksError {
  return new EksError("ResourceNotFoundException", `No addon: ${addon} found in cluster: ${cluster}`, {
    clusterName: cluster,
    addonName: addon,
  });
}

export function updateNotFound(cluster: string, id: string): EksError {
  return new EksError("ResourceNotFoundException", `No update found for ID: ${id}`, { clusterName: cluster });
}
