import { z } from "zod";
import { accessKeyId, parseInput, userName } from "../validate.ts";
import { keyOwner, ownedKey } from "./access-keys.ts";
import { type Op, targetUserName } from "./common.ts";

const Input = z.object({ AccessKeyId: accessKeyId(), UserName: userName().optional() });

export const deleteAccessKey: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  const { userName: owner } = await keyOwner(ctx, "iam:DeleteAccessKey", targetUserName(ctx, input.UserName));
  const key = await ownedKey(ctx, input.AccessKeyId, owner);
  await ctx.repo.delete("key", key.accessKeyId);
  return undefined;
};
