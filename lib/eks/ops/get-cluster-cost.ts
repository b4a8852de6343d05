import { costReport } from "../cost-report.ts";
import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";

// GET /clusters/{name}/cost: a Kumulus extension of the EKS API (authorized as eks:GetClusterCost). What the
// cluster's capacity costs per hour now and has cost so far, by instance type and capacity type, Fargate pods
// included. 404 (ResourceNotFoundException) for a cluster that does not exist.

export const getClusterCost: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  return { ...(await costReport(ctx.region, doc.name, ctx.now?.() ?? Date.now())) };
};
