import { z } from "zod";
import { IamError } from "../errors.ts";
import { newUserId, userArn } from "../ids.ts";
import type { IamUser } from "../repo.ts";
import { parseInput, path, userName } from "../validate.ts";
import { type Op, requireAllowed, tagsOf, userShape } from "./common.ts";

const Input = z.object({ UserName: userName(), Path: path().optional() });

export const createUser: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  const tags = tagsOf(p);
  const userPath = input.Path ?? "/";
  const arn = userArn(ctx.account, userPath, input.UserName);
  await requireAllowed(ctx, "iam:CreateUser", arn);
  const user: IamUser = {
    name: input.UserName,
    path: userPath,
    arn,
    userId: newUserId(),
    createDate: ctx.now,
    tags,
    attachedPolicies: [],
    inlinePolicies: {},
  };
  if (!(await ctx.repo.create("user", user))) {
    throw new IamError("EntityAlreadyExists", `User with name ${input.UserName} already exists.`);
  }
  return { User: userShape(user) };
};
