import { z } from "zod";
import { eksErrors } from "../errors.ts";
import type { Op } from "../op.ts";
import { checkTagCount, checkTags, TagsRequest } from "../schemas.ts";
import { parseWith } from "../validate.ts";
import { changeTags } from "./tag-target.ts";

// TagResource (POST /tags/{resourceArn}): adds or overwrites tags on a cluster or add-on.

const Body = z.object({ tags: TagsRequest });

export const tagResource: Op = async (ctx, req) => {
  const { tags } = parseWith(Body, req.body, eksErrors.badRequest);
  if (Object.keys(tags).length === 0)
    throw eksErrors.badRequest(
      "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  checkTags(tags, eksErrors.badRequest);
  await changeTags(ctx, req.params.resourceArn, (current) => {
    checkTagCount({ ...current, ...tags }, eksErrors.badRequest);
    Object.assign(current, tags);
  });
  return {};
};
