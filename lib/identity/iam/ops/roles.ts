import { IamError, noSuchRole } from "../errors.ts";
import { roleArn } from "../ids.ts";
import { type PolicyKind, parsePolicy } from "../policy.ts";
import type { IamRole } from "../repo.ts";
import { type AuthedContext, requireAllowed } from "./common.ts";

// Shared by the role operations and the policy-document ones.

/** Loads a role after checking `action` on it, so callers without the right learn nothing of its existence. */
export async function authorizedRole(ctx: AuthedContext, action: string, name: string): Promise<IamRole> {
  const role = await ctx.repo.get("role", name);
  await requireAllowed(ctx, action, role?.arn ?? roleArn(ctx.account, "/", name));
  if (!role) throw noSuchRole(name);
  return role;
}

/**
 * A policy document as sent: the form encoding is already undone, but some clients percent-encode the JSON
 * once more (IAM answers documents that way, so a document copied from a response arrives encoded).
 */
export function policyText(raw: string, kind: PolicyKind): string {
  let text = raw;
  if (/^\s*%7B/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not percent-encoding after all: parse it as it came.
    }
  }
  const parsed = parsePolicy(text, kind);
  if (!parsed.ok) throw new IamError("MalformedPolicyDocument", parsed.message);
  return text;
}
