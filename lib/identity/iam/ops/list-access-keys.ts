import { z } from "zod";
import { marker, maxItems, parseInput, userName } from "../validate.ts";
import { keyOwner, keysOf } from "./access-keys.ts";
import { type Op, page, targetUserName } from "./common.ts";

const Input = z.object({
  UserName: userName().optional(),
  Marker: marker().optional(),
  MaxItems: maxItems().optional(),
});

export const listAccessKeys: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  const { userName: owner } = await keyOwner(ctx, "iam:ListAccessKeys", targetUserName(ctx, input.UserName));
  const pg = page(await keysOf(ctx, owner), input.Marker, input.MaxItems);
  return {
    UserName: owner,
    AccessKeyMetadata: pg.items.map((k) => ({
      UserName: owner,
      AccessKeyId: k.accessKeyId,
      Status: k.status,
      CreateDate: new Date(k.createDate),
    })),
    IsTruncated: pg.IsTruncated,
    Marker: pg.Marker,
  };
};
