import { partitionOf } from "./ids.ts";
import type { Caller, EksContext } from "./repo.ts";

// Who is calling. The edge verifies SigV4 and passes the principal; without one (unit tests, an edge that
// does not authenticate) the request counts as the account's root, which is what the stack's admin key is.

export function defaultCaller(ctx: EksContext): Caller {
  return {
    arn: `arn:${partitionOf(ctx.region)}:iam::${ctx.account}:root`,
    account: ctx.account,
    userId: ctx.account,
    principalType: "root",
  };
}

const ASSUMED = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/(.+)\/[^/]+$/;

/**
 * The principal EKS records as a cluster's creator: the session's issuer. A role session is recorded as its
 * role (eks-auth.md §5), so the access entry keeps working for every later session of that role.
 */
export function issuerArnOf(caller: Caller): string {
  if (caller.principalType !== "assumed-role") return caller.arn;
  if (caller.roleArn) return caller.roleArn;
  const m = ASSUMED.exec(caller.arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : caller.arn;
}
