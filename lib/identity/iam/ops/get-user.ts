import { z } from "zod";
import { rootArn } from "../ids.ts";
import { parseInput, userName } from "../validate.ts";
import { authorizedUser, type Op, requireAllowed, targetUserName, userShape } from "./common.ts";

const Input = z.object({ UserName: userName().optional() });

export const getUser: Op = async (p, ctx) => {
  const name = targetUserName(ctx, parseInput(Input, p.flat()).UserName);
  if (name === undefined) {
    // The root asking about itself: IAM describes the account, with no name or path.
    await requireAllowed(ctx, "iam:GetUser", rootArn(ctx.account));
    return { User: { UserId: ctx.account, Arn: rootArn(ctx.account) } };
  }
  return { User: userShape(await authorizedUser(ctx, "iam:GetUser", name)) };
};
