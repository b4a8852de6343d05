import { z } from "zod";
import { IamError } from "../errors.ts";
import { keysOfUser } from "../key-queries.ts";
import { parseInput, userName } from "../validate.ts";
import { authorizedUser, type Op } from "./common.ts";

const Input = z.object({ UserName: userName() });

export const deleteUser: Op = async (p, ctx) => {
  const { UserName } = parseInput(Input, p.flat());
  const user = await authorizedUser(ctx, "iam:DeleteUser", UserName);
  const conflict = (what: string) =>
    new IamError("DeleteConflict", `Cannot delete entity, must ${what} first.`);
  const keys = await keysOfUser(ctx.repo, user.name);
  if (keys.length) throw conflict("delete access keys");
  if (user.attachedPolicies.length) throw conflict("detach all policies");
  if (Object.keys(user.inlinePolicies).length) throw conflict("delete policies");
  await ctx.repo.delete("user", user.name);
  return undefined;
};
