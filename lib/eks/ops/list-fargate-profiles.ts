import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { pageOf } from "../pagination.ts";

// ListFargateProfiles (GET /clusters/{name}/fargate-profiles?maxResults&nextToken): names, in name order.

export const listFargateProfiles: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const page = pageOf(Object.keys(doc.fargateProfiles ?? {}).sort(), (n) => n, req, true);
  return page.nextToken
    ? { fargateProfileNames: page.items, nextToken: page.nextToken }
    : { fargateProfileNames: page.items };
};
