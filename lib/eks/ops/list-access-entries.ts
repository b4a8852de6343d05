import { requireApiMode } from "../access-entries.ts";
import { isAccessPolicyArn } from "../access-policies-list.ts";
import { eksErrors } from "../errors.ts";
import { getCluster } from "../mutate.ts";
import { type Op, queryOne } from "../op.ts";
import { pageOf } from "../pagination.ts";

// ListAccessEntries (GET /clusters/{name}/access-entries?associatedPolicyArn): principal ARNs in ascending
// order, optionally only those associated with one access policy.

export const listAccessEntries: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  requireApiMode(doc);
  const policy = queryOne(req, "associatedPolicyArn");
  if (policy !== undefined && !isAccessPolicyArn(policy))
    throw eksErrors.invalidParameter(`The policyArn ${policy} is not a valid access policy.`, {
      clusterName: doc.name,
    });
  const arns = Object.values(doc.accessEntries ?? {})
    .filter((e) => policy === undefined || e.policies[policy] !== undefined)
    .map((e) => e.principalArn)
    .sort();
  const page = pageOf(arns, (a) => a, req, true);
  return page.nextToken
    ? { accessEntries: page.items, nextToken: page.nextToken }
    : { accessEntries: page.items };
};
