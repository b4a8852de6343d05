import { eksErrors } from "../errors.ts";
import type { Op } from "../op.ts";
import { changeTags } from "./tag-target.ts";

// UntagResource (DELETE /tags/{resourceArn}?tagKeys=a&tagKeys=b): keys that are not set are ignored.

export const untagResource: Op = async (ctx, req) => {
  const keys = req.query.tagKeys ?? [];
  if (keys.length === 0)
    throw eksErrors.badRequest(
      "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
    );
  await changeTags(ctx, req.params.resourceArn, (current) => {
    for (const k of keys) delete current[k];
  });
  return {};
};
