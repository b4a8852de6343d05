import { z } from "zod";
import { newAccessKeyId, newSecret } from "../ids.ts";
import type { AccessKey } from "../repo.ts";
import { parseInput, userName } from "../validate.ts";
import { keyLimit, keyOwner, keysOf, MAX_KEYS_PER_USER } from "./access-keys.ts";
import { type Op, targetUserName } from "./common.ts";

const Input = z.object({ UserName: userName().optional() });

export const createAccessKey: Op = async (p, ctx) => {
  const named = targetUserName(ctx, parseInput(Input, p.flat()).UserName);
  const { userName: owner } = await keyOwner(ctx, "iam:CreateAccessKey", named);
  if ((await keysOf(ctx, owner)).length >= MAX_KEYS_PER_USER) throw keyLimit();
  const key: AccessKey = {
    accessKeyId: newAccessKeyId(),
    secretAccessKey: newSecret(),
    status: "Active",
    account: ctx.account,
    userName: owner,
    createDate: ctx.now,
  };
  await ctx.repo.create("key", key);
  return {
    AccessKey: {
      UserName: owner,
      AccessKeyId: key.accessKeyId,
      Status: key.status,
      SecretAccessKey: key.secretAccessKey,
      CreateDate: new Date(key.createDate),
    },
  };
};
