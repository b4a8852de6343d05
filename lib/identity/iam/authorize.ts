import type { Principal } from "./credentials.ts";
import { MANAGED_POLICIES } from "./managed-policies.ts";
import { type CallerRef, type Decision, evaluate, type PolicyDocument, parsePolicy } from "./policy.ts";
import type { IamRepo } from "./repo.ts";

// Identity-based authorization: a principal's own policies (a user's, or a session's role's, narrowed by its
// session policy) decide whether it may perform an action on a resource. The account root may do anything.

export interface Verdict {
  decision: Decision;
  /** Which policy set failed to allow or denied: drives the AccessDenied wording. */
  by?: "identity" | "session";
}

const parsed = new Map<string, PolicyDocument>();

/** Stored documents were validated when written; parse each once. */
function stored(text: string): PolicyDocument {
  let p = parsed.get(text);
  if (!p) {
    const r = parsePolicy(text, "identity");
    p = r.ok ? r.policy : { statements: [] };
    if (parsed.size > 2000) parsed.clear();
    parsed.set(text, p);
  }
  return p;
}

function documentsOf(holder: { attachedPolicies: string[]; inlinePolicies: Record<string, string> }) {
  const docs: PolicyDocument[] = [];
  for (const arn of holder.attachedPolicies) {
    const m = MANAGED_POLICIES.get(arn);
    if (m) docs.push(m.document);
  }
  for (const text of Object.values(holder.inlinePolicies)) docs.push(stored(text));
  return docs;
}

/** The condition keys AWS sets from the principal itself. */
export function principalContext(p: Principal): Record<string, string> {
  const ctx: Record<string, string> = {
    "aws:PrincipalArn": p.type === "assumed-role" ? p.roleArn! : p.arn,
    "aws:PrincipalAccount": p.account,
    "aws:userid": p.userId,
    "aws:PrincipalType": p.type === "user" ? "User" : p.type === "root" ? "Account" : "AssumedRole",
  };
  if (p.type === "user" && p.name) ctx["aws:username"] = p.name;
  return ctx;
}

export async function authorize(
  repo: IamRepo,
  principal: Principal,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Promise<Verdict> {
  if (principal.type === "root") return { decision: "allow" };
  const req = { action, resource, context: { ...principalContext(principal), ...context } };
  if (principal.type === "user") {
    const user = principal.name ? await repo.get("user", principal.name) : undefined;
    return { decision: user ? evaluate(documentsOf(user), req) : "implicit-deny", by: "identity" };
  }
  const role = principal.name ? await repo.get("role", principal.name) : undefined;
  // A session outlives its role only as a name: a role deleted (or recreated, with a new id) grants nothing.
  if (!role || !principal.userId.startsWith(`${role.roleId}:`))
    return { decision: "implicit-deny", by: "identity" };
  const identity = evaluate(documentsOf(role), req);
  const session = principal.accessKeyId ? await repo.get("session", principal.accessKeyId) : undefined;
  if (!session?.sessionPolicy) return { decision: identity, by: "identity" };
  const narrowed = evaluate([stored(session.sessionPolicy)], req);
  if (identity === "explicit-deny") return { decision: identity, by: "identity" };
  if (narrowed === "explicit-deny") return { decision: narrowed, by: "session" };
  if (identity !== "allow") return { decision: identity, by: "identity" };
  return { decision: narrowed, by: "session" };
}

export async function isAllowed(
  repo: IamRepo,
  principal: Principal,
  action: string,
  resourceArn: string,
  context?: Record<string, string | string[]>,
): Promise<boolean> {
  return (await authorize(repo, principal, action, resourceArn, context)).decision === "allow";
}

/** AWS's AccessDenied message for an identity-based denial. */
export function notAuthorizedMessage(
  principal: Principal,
  action: string,
  resource: string,
  v: Verdict,
): string {
  const head = `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`;
  const kind = v.by === "session" ? "session policy" : "identity-based policy";
  if (v.decision === "explicit-deny") return `${head} with an explicit deny in an ${kind}`;
  return `${head} because no ${kind} allows the ${action} action`;
}

/** The identifiers a trust policy's Principal may use to name this caller. */
export function callerRef(p: Principal): CallerRef {
  const ids = [p.arn, `arn:aws:iam::${p.account}:root`];
  if (p.roleArn) ids.push(p.roleArn);
  return { type: "AWS", ids };
}
