import { z } from "zod";
import { IamError } from "../errors.ts";
import { assumedRoleArn, newSecret, newSessionKeyId, newSessionToken, parseRoleArn } from "../ids.ts";
import { parsePolicy } from "../policy.ts";
import type { IamRepo, IamRole, SessionCredential } from "../repo.ts";
import { int, str } from "../validate.ts";
import type { Shape } from "../xml.ts";

// Role sessions, shared by every way of assuming a role (AssumeRole, AssumeRoleWithWebIdentity, and the
// lead's pod-identity path): the common parameters, the duration rules, minting and the response shapes.

export const sessionFields = {
  RoleArn: str("roleArn", { min: 20, max: 2048 }),
  RoleSessionName: str("roleSessionName", { min: 2, max: 64, pattern: ["[\\w+=,.@-]*", /^[\w+=,.@-]*$/] }),
  DurationSeconds: int("durationSeconds", 900, 43200).optional(),
  Policy: str("policy", { min: 1, max: 2048 }).optional(),
};
export const SessionInput = z.object(sessionFields);

/** The role a RoleArn names in this account, if any (another account's roles do not exist here). */
export async function roleByArn(repo: IamRepo, account: string, arn: string): Promise<IamRole | undefined> {
  const parts = parseRoleArn(arn);
  if (!parts || parts.account !== account) return undefined;
  const role = await repo.get("role", parts.name);
  return role?.arn === arn ? role : undefined;
}

/** The session's lifetime in seconds, or ValidationError in STS's words. */
export function sessionDuration(role: IamRole, requested: number | undefined, chained: boolean): number {
  const d = requested ?? 3600;
  if (chained && d > 3600) {
    throw new IamError(
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }
  if (d > role.maxSessionDuration) {
    throw new IamError(
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  }
  return d;
}

/** Checks a session policy; it can only narrow what the role allows. */
export function sessionPolicyText(policy: string | undefined): string | undefined {
  if (policy === undefined) return undefined;
  const parsed = parsePolicy(policy, "identity");
  if (!parsed.ok) throw new IamError("MalformedPolicyDocument", parsed.message);
  return policy;
}

export interface MintOptions {
  repo: IamRepo;
  account: string;
  /** Epoch ms. */
  now: number;
  role: IamRole;
  sessionName: string;
  durationSeconds: number;
  sessionPolicy?: string;
  chained?: boolean;
}

/** Mints and stores temporary credentials for a role session. */
export async function mintRoleSession(o: MintOptions): Promise<SessionCredential> {
  const session: SessionCredential = {
    accessKeyId: newSessionKeyId(),
    secretAccessKey: newSecret(),
    sessionToken: newSessionToken(),
    expiration: o.now + o.durationSeconds * 1000,
    account: o.account,
    roleName: o.role.name,
    roleArn: o.role.arn,
    roleId: o.role.roleId,
    sessionName: o.sessionName,
    assumedRoleArn: assumedRoleArn(o.account, o.role.name, o.sessionName),
    assumedRoleId: `${o.role.roleId}:${o.sessionName}`,
    sessionPolicy: o.sessionPolicy,
    chained: o.chained || undefined,
  };
  await o.repo.put("session", session);
  return session;
}

export function assumedRoleUserShape(s: SessionCredential): Shape {
  return { Arn: s.assumedRoleArn, AssumedRoleId: s.assumedRoleId };
}

export function credentialsShape(s: SessionCredential): Shape {
  return {
    AccessKeyId: s.accessKeyId,
    SecretAccessKey: s.secretAccessKey,
    SessionToken: s.sessionToken,
    Expiration: new Date(s.expiration),
  };
}

/** How much of STS's packed-policy allowance a session policy uses, in percent. */
export function packedPolicySize(policy: string | undefined): number | undefined {
  return policy === undefined ? undefined : Math.ceil((policy.replace(/\s/g, "").length / 2048) * 100);
}
