import { associatedPolicyOut, entryOf } from "../access-entries.ts";
import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";
import { pageOf } from "../pagination.ts";

// ListAssociatedAccessPolicies (GET /clusters/{name}/access-entries/{principalArn}/access-policies), in
// ascending policy ARN order. Its paginator is non-aggregate: every page repeats clusterName and principalArn.

export const listAssociatedAccessPolicies: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  const entry = entryOf(doc, req.params.principalArn);
  const page = pageOf(Object.keys(entry.policies).sort(), (a) => a, req, true);
  return {
    clusterName: doc.name,
    principalArn: entry.principalArn,
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    associatedAccessPolicies: page.items.map((arn) => associatedPolicyOut(arn, entry)),
  };
};
