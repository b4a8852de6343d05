import { IamError, noSuchKey } from "../errors.ts";
import { rootArn } from "../ids.ts";
import { keysOfUser } from "../key-queries.ts";
import type { AccessKey } from "../repo.ts";
import { type AuthedContext, authorizedUser, requireAllowed } from "./common.ts";

// Shared by the access-key operations: whose keys an operation acts on, and which keys those are.

export const MAX_KEYS_PER_USER = 2;

/** The owner named by `userName` (undefined = the account root), after checking `action` on it. */
export async function keyOwner(
  ctx: AuthedContext,
  action: string,
  userName: string | undefined,
): Promise<{ userName: string | undefined }> {
  if (userName === undefined) {
    await requireAllowed(ctx, action, rootArn(ctx.account));
    return { userName: undefined };
  }
  const user = await authorizedUser(ctx, action, userName);
  return { userName: user.name };
}

export function keysOf(ctx: AuthedContext, userName: string | undefined): Promise<AccessKey[]> {
  return keysOfUser(ctx.repo, userName);
}

/** The key, if it belongs to that owner; otherwise NoSuchEntity, as IAM does not say whose it is. */
export async function ownedKey(
  ctx: AuthedContext,
  id: string,
  userName: string | undefined,
): Promise<AccessKey> {
  const key = await ctx.repo.get("key", id);
  if (!key || key.userName?.toLowerCase() !== userName?.toLowerCase()) throw noSuchKey(id);
  return key;
}

export const keyLimit = (): IamError =>
  new IamError("LimitExceeded", `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
