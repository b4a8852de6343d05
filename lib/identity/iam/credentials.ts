import { rootArn } from "./ids.ts";
import type { IamRepo } from "./repo.ts";

// Who an access key speaks for. Long-term keys (AKIA) name a user or the account root; temporary keys
// (ASIA) name a role session and carry a session token that must come with every request.

export interface Principal {
  type: "user" | "assumed-role" | "root";
  arn: string;
  /** AIDA… for a user, AROA…:SESSION for a role session, the account id for the root. */
  userId: string;
  account: string;
  /** The user's or the role's name (absent for the root). */
  name?: string;
  sessionName?: string;
  /** The role's own ARN (with its path) for a role session. */
  roleArn?: string;
  /** The key the request was signed with, when it came from a signature. */
  accessKeyId?: string;
}

export type CredentialLookup =
  | { ok: true; secret: string; sessionToken?: string; principal: Principal }
  | { ok: false; reason: "unknown" | "inactive" | "expired" };

export function rootPrincipal(account: string): Principal {
  return { type: "root", arn: rootArn(account), userId: account, account };
}

/** The secret and principal behind an access key id at `now` (epoch ms). */
export async function lookupCredential(
  repo: IamRepo,
  accessKeyId: string,
  now: number,
): Promise<CredentialLookup> {
  if (accessKeyId.startsWith("ASIA")) {
    const s = await repo.get("session", accessKeyId);
    if (!s) return { ok: false, reason: "unknown" };
    if (s.expiration <= now) return { ok: false, reason: "expired" };
    return {
      ok: true,
      secret: s.secretAccessKey,
      sessionToken: s.sessionToken,
      principal: {
        type: "assumed-role",
        arn: s.assumedRoleArn,
        userId: s.assumedRoleId,
        account: s.account,
        name: s.roleName,
        sessionName: s.sessionName,
        roleArn: s.roleArn,
        accessKeyId,
      },
    };
  }
  const key = await repo.get("key", accessKeyId);
  if (!key) return { ok: false, reason: "unknown" };
  if (key.status !== "Active") return { ok: false, reason: "inactive" };
  if (key.userName === undefined) {
    return {
      ok: true,
      secret: key.secretAccessKey,
      principal: { ...rootPrincipal(key.account), accessKeyId },
    };
  }
  const user = await repo.get("user", key.userName);
  // A key outlives its user only in a half-finished delete; treat it as gone.
  if (!user) return { ok: false, reason: "unknown" };
  return {
    ok: true,
    secret: key.secretAccessKey,
    principal: {
      type: "user",
      arn: user.arn,
      userId: user.userId,
      account: key.account,
      name: user.name,
      accessKeyId,
    },
  };
}
