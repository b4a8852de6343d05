import { lookupCredential } from "./credentials.ts";
import { newAccessKeyId, newSecret, newUserId, userArn } from "./ids.ts";
import { keysOfUser } from "./key-queries.ts";
import { ADMINISTRATOR_ACCESS } from "./managed-policies.ts";
import type { AccessKey, IamRepo, IamUser } from "./repo.ts";

// The stack's first identity: an IAM user with AdministratorAccess whose key the local stack writes to the
// `kumulus` AWS profile. Idempotent, and a key the stack already handed out (admin-key.json) keeps working
// across restarts, even onto an empty table, because it can be given back to be stored as it was.

export const ADMIN_USER = "kumulus-admin";

export interface EnsureAdminOptions {
  /** A key handed out before: reused when stored, else imported with `secretAccessKey`. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Epoch ms; defaults to Date.now(). */
  now?: number;
}

export interface AdminKey {
  userName: string;
  userArn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export async function ensureAdmin(
  repo: IamRepo,
  account: string,
  opts: EnsureAdminOptions = {},
): Promise<AdminKey> {
  const now = opts.now ?? Date.now();
  let user = await repo.get("user", ADMIN_USER);
  if (!user) {
    const fresh: IamUser = {
      name: ADMIN_USER,
      path: "/",
      arn: userArn(account, "/", ADMIN_USER),
      userId: newUserId(),
      createDate: now,
      tags: [],
      attachedPolicies: [ADMINISTRATOR_ACCESS],
      inlinePolicies: {},
    };
    // Another process may win the race; either way the user exists afterwards.
    await repo.create("user", fresh);
    user = (await repo.get("user", ADMIN_USER)) ?? fresh;
  }
  if (!user.attachedPolicies.includes(ADMINISTRATOR_ACCESS)) {
    user = { ...user, attachedPolicies: [...user.attachedPolicies, ADMINISTRATOR_ACCESS] };
    await repo.put("user", user);
  }
  const done = (k: AccessKey): AdminKey => ({
    userName: user.name,
    userArn: user.arn,
    accessKeyId: k.accessKeyId,
    secretAccessKey: k.secretAccessKey,
  });

  let importId: string | undefined;
  if (opts.accessKeyId) {
    const known = await repo.get("key", opts.accessKeyId);
    if (known && known.userName === user.name) {
      if (!opts.secretAccessKey || opts.secretAccessKey === known.secretAccessKey) {
        if (known.status === "Active") return done(known);
        const active = { ...known, status: "Active" as const };
        await repo.put("key", active);
        return done(active);
      }
    }
    // Import only an id nobody else holds: another user's key is never overwritten.
    if (opts.secretAccessKey && (!known || known.userName === user.name)) importId = opts.accessKeyId;
  }
  // Keep within IAM's two keys per user: the oldest other keys give way to the one being issued.
  const others = (await keysOfUser(repo, user.name)).filter((k) => k.accessKeyId !== importId);
  for (const k of others.slice(0, Math.max(0, others.length - 1))) await repo.delete("key", k.accessKeyId);
  const key: AccessKey = {
    accessKeyId: importId ?? newAccessKeyId(),
    secretAccessKey: importId ? opts.secretAccessKey! : newSecret(),
    status: "Active",
    account,
    userName: user.name,
    createDate: now,
  };
  await repo.put("key", key);
  const check = await lookupCredential(repo, key.accessKeyId, now);
  if (!check.ok) throw new Error(`admin key ${key.accessKeyId} did not take: ${check.reason}`);
  return done(key);
}
