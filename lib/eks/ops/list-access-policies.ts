import { ACCESS_POLICIES } from "../access-policies-list.ts";
import type { Op } from "../op.ts";
import { pageOf } from "../pagination.ts";

// ListAccessPolicies (GET /access-policies): the fixed catalogue, not tied to any cluster.

export const listAccessPolicies: Op = async (_ctx, req) => {
  const page = pageOf(ACCESS_POLICIES, (p) => p.name, req, false);
  const accessPolicies = page.items.map((p) => ({ name: p.name, arn: p.arn }));
  return page.nextToken ? { accessPolicies, nextToken: page.nextToken } : { accessPolicies };
};
