import { z } from "zod";
import { marker, maxItems, parseInput, pathPrefix } from "../validate.ts";
import { type Op, page, requireAllowed, userShape } from "./common.ts";

const Input = z.object({
  PathPrefix: pathPrefix().optional(),
  Marker: marker().optional(),
  MaxItems: maxItems().optional(),
});

export const listUsers: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  await requireAllowed(ctx, "iam:ListUsers", `arn:aws:iam::${ctx.account}:user/`);
  const prefix = input.PathPrefix ?? "/";
  const users = (await ctx.repo.list("user"))
    .filter((u) => u.path.startsWith(prefix))
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  const pg = page(users, input.Marker, input.MaxItems);
  return { Users: pg.items.map(userShape), IsTruncated: pg.IsTruncated, Marker: pg.Marker };
};
