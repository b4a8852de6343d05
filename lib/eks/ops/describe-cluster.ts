import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { clusterOut } from "../shapes.ts";

// DescribeCluster (GET /clusters/{name}).

export const describeCluster: Op = async (ctx, req) => ({
  cluster: clusterOut(ctx, await getCluster(ctx, req.params.name)),
});
