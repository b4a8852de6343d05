import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { updateOut } from "../shapes.ts";
import { scopedUpdates } from "./nodegroup-updates.ts";
import { updateNotFound } from "./update-scope.ts";

// DescribeUpdate (GET /clusters/{name}/updates/{updateId}?addonName&nodegroupName).

export const describeUpdate: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const update = scopedUpdates(doc, req).find((u) => u.id === req.params.updateId);
  if (!update) throw updateNotFound(doc.name, req.params.updateId);
  return { update: updateOut(update) };
};
