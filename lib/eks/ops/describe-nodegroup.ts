import { getCluster } from "../mutate.ts";
import { nodegroupOf, nodegroupOut } from "../nodegroups.ts";
import type { Op } from "../op.ts";

// DescribeNodegroup (GET /clusters/{name}/node-groups/{nodegroupName}).

export const describeNodegroup: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  return { nodegroup: nodegroupOut(doc.name, nodegroupOf(doc, req.params.nodegroupName)) };
};
