import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { pageOf } from "../pagination.ts";

// ListNodegroups (GET /clusters/{name}/node-groups?maxResults&nextToken): names, in name order.

export const listNodegroups: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const page = pageOf(Object.keys(doc.nodegroups ?? {}).sort(), (n) => n, req, true);
  return page.nextToken ? { nodegroups: page.items, nextToken: page.nextToken } : { nodegroups: page.items };
};
