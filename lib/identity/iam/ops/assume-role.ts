import { z } from "zod";
import { authorize, callerRef, principalContext } from "../authorize.ts";
import { IamError } from "../errors.ts";
import { evaluate, parsePolicy } from "../policy.ts";
import { parseInput, str } from "../validate.ts";
import type { Op } from "./common.ts";
import {
  assumedRoleUserShape,
  credentialsShape,
  mintRoleSession,
  packedPolicySize,
  roleByArn,
  sessionDuration,
  sessionFields,
  sessionPolicyText,
} from "./session.ts";

const Input = z.object({
  ...sessionFields,
  ExternalId: str("externalId", {
    min: 2,
    max: 1224,
    pattern: ["[\\w+=,.@:\\/-]*", /^[\w+=,.@:/-]*$/],
  }).optional(),
});

// Within one account, a trust policy that names the caller itself grants the right on its own; one that
// names only the account delegates to the account, whose identity policies must then allow sts:AssumeRole
// too. A Deny in either wins. A role in another account, or none, is the same AccessDenied.
export const assumeRole: Op = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  const caller = ctx.principal;
  if (caller.type === "root")
    throw new IamError("AccessDenied", "Roles may not be assumed by root accounts.");
  const denied = () =>
    new IamError(
      "AccessDenied",
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
    );
  const role = await roleByArn(ctx.repo, ctx.account, input.RoleArn);
  if (!role) throw denied();
  const trust = parsePolicy(role.assumeRolePolicyDocument, "trust");
  if (!trust.ok) throw denied();
  const context: Record<string, string> = {
    ...principalContext(caller),
    "sts:RoleSessionName": input.RoleSessionName,
  };
  if (input.ExternalId !== undefined) context["sts:ExternalId"] = input.ExternalId;
  const req = { action: "sts:AssumeRole", resource: role.arn, context };
  const everyName = evaluate([trust.policy], { ...req, caller: callerRef(caller) });
  const ownName = evaluate([trust.policy], {
    ...req,
    caller: { type: "AWS", ids: [caller.arn, ...(caller.roleArn ? [caller.roleArn] : [])] },
  });
  const identity = (await authorize(ctx.repo, caller, "sts:AssumeRole", role.arn, context)).decision;
  if (everyName === "explicit-deny" || identity === "explicit-deny") throw denied();
  if (ownName !== "allow" && !(everyName === "allow" && identity === "allow")) throw denied();

  const chained = caller.type === "assumed-role";
  const durationSeconds = sessionDuration(role, input.DurationSeconds, chained);
  const sessionPolicy = sessionPolicyText(input.Policy);
  const session = await mintRoleSession({
    repo: ctx.repo,
    account: ctx.account,
    now: ctx.now,
    role,
    sessionName: input.RoleSessionName,
    durationSeconds,
    sessionPolicy,
    chained,
  });
  return {
    AssumedRoleUser: assumedRoleUserShape(session),
    Credentials: credentialsShape(session),
    PackedPolicySize: packedPolicySize(sessionPolicy),
  };
};
