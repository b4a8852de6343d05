import { z } from "zod";
import { parseInput, roleName } from "../validate.ts";
import { type Op, roleShape } from "./common.ts";
import { authorizedRole } from "./roles.ts";

const Input = z.object({ RoleName: roleName() });

export const getRole: Op = async (p, ctx) => {
  const { RoleName } = parseInput(Input, p.flat());
  const role = await authorizedRole(ctx, "iam:GetRole", RoleName);
  return { Role: { ...(roleShape(role) as object), RoleLastUsed: {} } };
};
