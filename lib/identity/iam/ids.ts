import { randomBytes, randomInt } from "node:crypto";

// Identifiers IAM and STS mint. The prefixes are AWS's (AIDA user, AROA role, AKIA long-term key, ASIA
// temporary key) because clients and people read them: `aws configure list` and the aws-iam-authenticator
// both tell a session key from a long-term one by its first four letters.

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function alnum(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export const newUserId = (): string => `AIDA${alnum(17)}`;
export const newRoleId = (): string => `AROA${alnum(17)}`;
export const newAccessKeyId = (): string => `AKIA${alnum(16)}`;
export const newSessionKeyId = (): string => `ASIA${alnum(16)}`;
/** 40 characters, as AWS secrets are (base64 of 30 bytes has no padding). */
export const newSecret = (): string => randomBytes(30).toString("base64");
/** Opaque; AWS tokens are several hundred characters of base64, and some clients size buffers for that. */
export const newSessionToken = (): string => randomBytes(240).toString("base64");

export const rootArn = (account: string): string => `arn:aws:iam::${account}:root`;
export const userArn = (account: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:user${path}${name}`;
export const roleArn = (account: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:role${path}${name}`;
export const assumedRoleArn = (account: string, role: string, session: string): string =>
  `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
export const oidcProviderArn = (account: string, issuer: string): string =>
  `arn:aws:iam::${account}:oidc-provider/${issuer}`;

/** The parts of a role ARN, or undefined when `arn` is not one. */
export function parseRoleArn(arn: string): { account: string; path: string; name: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,64})$/.exec(arn);
  return m ? { account: m[1], path: m[2], name: m[3] } : undefined;
}

/** ISO-8601 to the second, the form IAM and STS print (`2026-12-02T21:00:00Z`). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
