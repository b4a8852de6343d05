import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { pageOf } from "../pagination.ts";

// ListAddons (GET /clusters/{name}/addons): the managed add-ons only. The self-managed defaults that
// bootstrapSelfManagedAddons installs are Kubernetes objects without an add-on record, so they are not
// listed, as on EKS.

export const listAddons: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const page = pageOf(Object.keys(doc.addons).sort(), (n) => n, req, true);
  return page.nextToken ? { addons: page.items, nextToken: page.nextToken } : { addons: page.items };
};
