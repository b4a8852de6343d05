import { z } from "zod";
import { marker, maxItems, parseInput, pathPrefix } from "../validate.ts";
import { type Op, page, requireAllowed, roleShape } from "./common.ts";

const Input = z.object({
  PathPrefix: pathPrefix().optional(),
  Marker: marker().optional(),
  MaxItems: maxItems().optional(),
});

export const listRoles: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  await requireAllowed(ctx, "iam:ListRoles", `arn:aws:iam::${ctx.account}:role/`);
  const prefix = input.PathPrefix ?? "/";
  const roles = (await ctx.repo.list("role"))
    .filter((r) => r.path.startsWith(prefix))
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  const pg = page(roles, input.Marker, input.MaxItems);
  return { Roles: pg.items.map(roleShape), IsTruncated: pg.IsTruncated, Marker: pg.Marker };
};
