import type { IamRole, IamUser } from "../repo.ts";
import { roleName, userName } from "../validate.ts";
import { type AuthedContext, authorizedUser } from "./common.ts";
import { authorizedRole } from "./roles.ts";

// The two kinds of IAM principal that hold policies, as the attached- and inline-policy operations address
// them: the request field naming one, its validation, the noun in action names, and how it is loaded (with
// the caller's authorization) and saved.

export type Holder = "user" | "role";

export const holders = {
  user: {
    field: "UserName",
    name: userName(),
    noun: "User",
    load: (ctx: AuthedContext, action: string, name: string) => authorizedUser(ctx, action, name),
  },
  role: {
    field: "RoleName",
    name: roleName(),
    noun: "Role",
    load: (ctx: AuthedContext, action: string, name: string) => authorizedRole(ctx, action, name),
  },
} as const;

export async function saveHolder(ctx: AuthedContext, kind: Holder, value: IamUser | IamRole): Promise<void> {
  if (kind === "user") await ctx.repo.put("user", value as IamUser);
  else await ctx.repo.put("role", value as IamRole);
}
