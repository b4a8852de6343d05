import { entryOf } from "../access-entries.ts";
import { mutateCluster } from "../mutate.ts";
import type { Op } from "../op.ts";

// DeleteAccessEntry (DELETE /clusters/{name}/access-entries/{principalArn}). The policy associations live in
// the entry, so they go with it.

export const deleteAccessEntry: Op = async (ctx, req) => {
  await mutateCluster(ctx, req.params.name, (doc) => {
    const entry = entryOf(doc, req.params.principalArn);
    delete doc.accessEntries?.[entry.principalArn];
  });
  return {};
};
