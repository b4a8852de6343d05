import { z } from "zod";
import { accessKeyId, oneOf, parseInput, userName } from "../validate.ts";
import { keyOwner, ownedKey } from "./access-keys.ts";
import { type Op, targetUserName } from "./common.ts";

const Input = z.object({
  AccessKeyId: accessKeyId(),
  Status: oneOf("status", ["Active", "Inactive"]),
  UserName: userName().optional(),
});

export const updateAccessKey: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  const { userName: owner } = await keyOwner(ctx, "iam:UpdateAccessKey", targetUserName(ctx, input.UserName));
  const key = await ownedKey(ctx, input.AccessKeyId, owner);
  await ctx.repo.put("key", { ...key, status: input.Status });
  return undefined;
};
