import { regionOfArn } from "../ids.ts";
import type { Op } from "../op.ts";
import { pageOf } from "../pagination.ts";

// ListClusters (GET /clusters?maxResults&nextToken): the names of the request's region, ascending, paged by name.

export const listClusters: Op = async (ctx, req) => {
  const names = (await ctx.repo.list())
    .filter((d) => (regionOfArn(d.arn) ?? ctx.region) === ctx.region)
    .map((d) => d.name)
    .sort();
  const page = pageOf(names, (n) => n, req, true);
  return page.nextToken ? { clusters: page.items, nextToken: page.nextToken } : { clusters: page.items };
};
