import type { Op } from "../op.ts";
import { readTags } from "./tag-target.ts";

// ListTagsForResource (GET /tags/{resourceArn}).

export const listTagsForResource: Op = async (ctx, req) => ({
  tags: await readTags(ctx, req.params.resourceArn),
});
