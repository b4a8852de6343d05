import type { Op } from "./common.ts";

// Needs no permission: AWS answers it even when an explicit Deny covers everything.
export const getCallerIdentity: Op = async (_p, ctx) => ({
  Arn: ctx.principal.arn,
  UserId: ctx.principal.userId,
  Account: ctx.principal.account,
});
