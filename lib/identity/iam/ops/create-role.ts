import { z } from "zod";
import { IamError } from "../errors.ts";
import { newRoleId, roleArn } from "../ids.ts";
import type { IamRole } from "../repo.ts";
import { int, parseInput, path, policyDocument, roleName, str } from "../validate.ts";
import { type Op, requireAllowed, roleShape, tagsOf } from "./common.ts";
import { policyText } from "./roles.ts";

const Input = z.object({
  RoleName: roleName(),
  AssumeRolePolicyDocument: policyDocument("assumeRolePolicyDocument"),
  Path: path().optional(),
  Description: str("description", { max: 1000 }).optional(),
  MaxSessionDuration: int("maxSessionDuration", 3600, 43200).optional(),
});

export const createRole: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  const tags = tagsOf(p);
  const rolePath = input.Path ?? "/";
  const arn = roleArn(ctx.account, rolePath, input.RoleName);
  await requireAllowed(ctx, "iam:CreateRole", arn);
  const role: IamRole = {
    name: input.RoleName,
    path: rolePath,
    arn,
    roleId: newRoleId(),
    createDate: ctx.now,
    assumeRolePolicyDocument: policyText(input.AssumeRolePolicyDocument, "trust"),
    description: input.Description,
    maxSessionDuration: input.MaxSessionDuration ?? 3600,
    tags,
    attachedPolicies: [],
    inlinePolicies: {},
  };
  if (!(await ctx.repo.create("role", role))) {
    throw new IamError("EntityAlreadyExists", `Role with name ${input.RoleName} already exists.`);
  }
  return { Role: roleShape(role) };
};
