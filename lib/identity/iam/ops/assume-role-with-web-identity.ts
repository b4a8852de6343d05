import { z } from "zod";
import { IamError } from "../errors.ts";
import { oidcProviderArn } from "../ids.ts";
import { evaluate, parsePolicy } from "../policy.ts";
import { parseInput, str } from "../validate.ts";
import type { AnonymousOp, WebIdentityClaims } from "./common.ts";
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
  WebIdentityToken: str("webIdentityToken", { min: 4, max: 20000 }),
});

const invalidToken = () =>
  new IamError(
    "InvalidIdentityToken",
    "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.",
  );

// Unauthenticated: the token is the credential. The role's trust policy must name the token's issuer as a
// Federated principal (arn:aws:iam::ACCT:oidc-provider/ISSUER) and its conditions see ISSUER:sub and :aud.
export const assumeRoleWithWebIdentity: AnonymousOp = async (p, ctx) => {
  const input = parseInput(Input, p.flat());
  let claims: WebIdentityClaims | undefined;
  try {
    claims = await ctx.verifyWebIdentity?.(input.WebIdentityToken);
  } catch {
    claims = undefined;
  }
  if (!claims) throw invalidToken();
  const denied = () =>
    new IamError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  const role = await roleByArn(ctx.repo, ctx.account, input.RoleArn);
  if (!role) throw denied();
  const trust = parsePolicy(role.assumeRolePolicyDocument, "trust");
  if (!trust.ok) throw denied();
  const issuer = claims.issuer.replace(/^https:\/\//, "");
  const provider = oidcProviderArn(ctx.account, issuer);
  const decision = evaluate([trust.policy], {
    action: "sts:AssumeRoleWithWebIdentity",
    resource: role.arn,
    caller: { type: "Federated", ids: [provider] },
    context: {
      [`${issuer}:sub`]: claims.sub,
      [`${issuer}:aud`]: claims.aud,
      "aws:FederatedProvider": provider,
      "sts:RoleSessionName": input.RoleSessionName,
    },
  });
  if (decision !== "allow") throw denied();
  const durationSeconds = sessionDuration(role, input.DurationSeconds, false);
  const sessionPolicy = sessionPolicyText(input.Policy);
  const session = await mintRoleSession({
    repo: ctx.repo,
    account: ctx.account,
    now: ctx.now,
    role,
    sessionName: input.RoleSessionName,
    durationSeconds,
    sessionPolicy,
  });
  const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  return {
    SubjectFromWebIdentityToken: claims.sub,
    Audience: aud,
    AssumedRoleUser: assumedRoleUserShape(session),
    Credentials: credentialsShape(session),
    Provider: provider,
    PackedPolicySize: packedPolicySize(sessionPolicy),
  };
};
