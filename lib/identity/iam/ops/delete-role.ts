import { z } from "zod";
import { IamError } from "../errors.ts";
import { parseInput, roleName } from "../validate.ts";
import type { Op } from "./common.ts";
import { authorizedRole } from "./roles.ts";

const Input = z.object({ RoleName: roleName() });

export const deleteRole: Op = async (p, ctx) => {
  const { RoleName } = parseInput(Input, p.flat());
  const role = await authorizedRole(ctx, "iam:DeleteRole", RoleName);
  const conflict = (what: string) =>
    new IamError("DeleteConflict", `Cannot delete entity, must ${what} first.`);
  if (role.attachedPolicies.length) throw conflict("detach all policies");
  if (Object.keys(role.inlinePolicies).length) throw conflict("delete policies");
  await ctx.repo.delete("role", role.name);
  return undefined;
};
