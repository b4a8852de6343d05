import { entryOf, entryOut } from "../access-entries.ts";
import { getCluster } from "../mutate.ts";
import type { Op } from "../op.ts";

// DescribeAccessEntry (GET /clusters/{name}/access-entries/{principalArn}). The principal ARN arrives as one
// percent-encoded path segment.

export const describeAccessEntry: Op = async (ctx, req) => {
  const doc = await getCluster(ctx, req.params.name);
  return { accessEntry: entryOut(doc.name, entryOf(doc, req.params.principalArn)) };
};
