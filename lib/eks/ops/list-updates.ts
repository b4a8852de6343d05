import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { pageOf } from "../pagination.ts";
import { scopedUpdates } from "./nodegroup-updates.ts";

// ListUpdates (GET /clusters/{name}/updates?addonName&nodegroupName&maxResults&nextToken): ids, oldest first.

export const listUpdates: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const page = pageOf(
    scopedUpdates(doc, req).map((u) => u.id),
    (id) => id,
    req,
    false,
  );
  return page.nextToken ? { updateIds: page.items, nextToken: page.nextToken } : { updateIds: page.items };
};
