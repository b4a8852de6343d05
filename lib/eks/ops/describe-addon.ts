import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { addonOut } from "../shapes.ts";
import { addonNotFound } from "./update-scope.ts";

// DescribeAddon (GET /clusters/{name}/addons/{addonName}).

export const describeAddon: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const addon = doc.addons[req.params.addonName];
  if (!addon) throw addonNotFound(doc.name, req.params.addonName);
  return { addon: addonOut(doc.name, addon) };
};
