import { log } from "../../log.ts";
import { eksErrors } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import { releaseCapacity } from "../nodegroups.ts";
import type { Op } from "../op.ts";
import { clusterOut } from "../shapes.ts";

// DeleteCluster (DELETE /clusters/{name}). The status turns DELETING before anything is torn down, so
// `aws eks wait cluster-deleted` never sees ACTIVE again; then the Kubernetes side and the document go, and
// DescribeCluster answers 404. Add-ons are deleted with the cluster, as EKS does. A delete that fails half
// way leaves the cluster DELETING, and repeating the call finishes it.

export const deleteCluster: Op = async (ctx, req) => {
  const { doc } = await mutateCluster(ctx, req.params.name, (d) => {
    // EKS refuses while node groups remain; they are deleted first (eksctl drains and deletes them).
    if (d.status !== "DELETING" && Object.keys(d.nodegroups ?? {}).length > 0)
      throw eksErrors.inUse("Cluster has nodegroups attached", { clusterName: d.name });
    // Fargate profiles too (cluster-api-provider-aws#4728 quotes EKS's answer).
    if (d.status !== "DELETING" && Object.keys(d.fargateProfiles ?? {}).length > 0)
      throw eksErrors.inUse("Cluster has Fargate Profiles in ACTIVE/CREATING state", { clusterName: d.name });
    d.status = "DELETING";
    for (const addon of Object.values(d.addons)) addon.status = "DELETING";
  });
  try {
    // Whatever capacity is left (Fargate, Karpenter, loose nodes) stops being billed with the cluster.
    const released = await releaseCapacity(ctx, doc.name);
    if (released) log("info", "eks cluster delete terminated its instances", { cluster: doc.name, released });
  } catch (e) {
    // An embedded EKS API without a capacity table has nothing to release.
    log("warn", "eks cluster capacity release failed", { cluster: doc.name, error: String(e) });
  }
  try {
    await ctx.effects.destroy(doc.name);
    await ctx.repo.remove(doc.name);
  } catch (e) {
    log("error", "eks cluster teardown failed", { cluster: doc.name, error: String(e) });
  }
  return { cluster: clusterOut(ctx, doc) };
};
