import { z } from "zod";
import { parseInput, policyDocument, roleName } from "../validate.ts";
import type { Op } from "./common.ts";
import { authorizedRole, policyText } from "./roles.ts";

const Input = z.object({ RoleName: roleName(), PolicyDocument: policyDocument() });

export const updateAssumeRolePolicy: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  const role = await authorizedRole(ctx, "iam:UpdateAssumeRolePolicy", input.RoleName);
  await ctx.repo.put("role", {
    ...role,
    assumeRolePolicyDocument: policyText(input.PolicyDocument, "trust"),
  });
  return undefined;
};
