import { randomUUID } from "node:crypto";
import { NAMESPACES, queryErrorXml } from "./auth-errors.ts";
import { IamError } from "./errors.ts";
import { assumeRole } from "./ops/assume-role.ts";
import { assumeRoleWithWebIdentity } from "./ops/assume-role-with-web-identity.ts";
import * as attached from "./ops/attached-policies.ts";
import type { AnonymousOp, Op, OpContext } from "./ops/common.ts";
import { QueryParams } from "./ops/common.ts";
import { createAccessKey } from "./ops/create-access-key.ts";
import { createRole } from "./ops/create-role.ts";
import { createUser } from "./ops/create-user.ts";
import { deleteAccessKey } from "./ops/delete-access-key.ts";
import { deleteRole } from "./ops/delete-role.ts";
import { deleteUser } from "./ops/delete-user.ts";
import { getCallerIdentity } from "./ops/get-caller-identity.ts";
import { getRole } from "./ops/get-role.ts";
import { getUser } from "./ops/get-user.ts";
import * as inline from "./ops/inline-policies.ts";
import { listAccessKeys } from "./ops/list-access-keys.ts";
import { listRoles } from "./ops/list-roles.ts";
import { listUsers } from "./ops/list-users.ts";
import { updateAccessKey } from "./ops/update-access-key.ts";
import { updateAssumeRolePolicy } from "./ops/update-assume-role-policy.ts";
import { type Shape, toJson, xmlBody } from "./xml.ts";

// The AWS query protocol for IAM and STS: form parameters in (Action, Version, `X.member.N` lists), the
// operation dispatched by Action, and `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>`
// out, or the JSON twin of that document when the client asks for JSON (the aws-iam-authenticator does).

export type { OpContext, VerifyWebIdentity, WebIdentityClaims } from "./ops/common.ts";

export interface IamStsRequest {
  service: "iam" | "sts";
  /** The form body, or the query string of a GET. */
  params: URLSearchParams;
  accept?: string;
}

export interface IamStsResponse {
  status: number;
  contentType: string;
  body: string;
  requestId: string;
}

export interface HandleContext extends OpContext {
  /** Defaults to a fresh UUID. */
  requestId?: string;
}

const VERSIONS = { iam: "2010-05-08", sts: "2011-06-15" } as const;

const STS_OPS: Record<string, Op> = {
  GetCallerIdentity: getCallerIdentity,
  AssumeRole: assumeRole,
};
const STS_ANONYMOUS: Record<string, AnonymousOp> = {
  AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
};

const IAM_OPS: Record<string, Op> = {
  CreateUser: createUser,
  GetUser: getUser,
  ListUsers: listUsers,
  DeleteUser: deleteUser,
  CreateAccessKey: createAccessKey,
  DeleteAccessKey: deleteAccessKey,
  ListAccessKeys: listAccessKeys,
  UpdateAccessKey: updateAccessKey,
  CreateRole: createRole,
  GetRole: getRole,
  ListRoles: listRoles,
  DeleteRole: deleteRole,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
  AttachUserPolicy: attached.attachUserPolicy,
  DetachUserPolicy: attached.detachUserPolicy,
  ListAttachedUserPolicies: attached.listAttachedUserPolicies,
  AttachRolePolicy: attached.attachRolePolicy,
  DetachRolePolicy: attached.detachRolePolicy,
  ListAttachedRolePolicies: attached.listAttachedRolePolicies,
  PutUserPolicy: inline.putUserPolicy,
  GetUserPolicy: inline.getUserPolicy,
  ListUserPolicies: inline.listUserPolicies,
  DeleteUserPolicy: inline.deleteUserPolicy,
  PutRolePolicy: inline.putRolePolicy,
  GetRolePolicy: inline.getRolePolicy,
  ListRolePolicies: inline.listRolePolicies,
  DeleteRolePolicy: inline.deleteRolePolicy,
};

/** Whether `action` may be called without a signature (the lead skips SigV4 for these). */
export function isAnonymousAction(service: "iam" | "sts", action: string | null | undefined): boolean {
  return service === "sts" && !!action && Object.hasOwn(STS_ANONYMOUS, action);
}

export async function handleIamStsRequest(req: IamStsRequest, ctx: HandleContext): Promise<IamStsResponse> {
  const requestId = ctx.requestId ?? randomUUID();
  const json = !!req.accept?.includes("application/json");
  const action = req.params.get("Action") ?? "";
  try {
    const result = await dispatch(req.service, action, new QueryParams(req.params), ctx);
    return render(action, result, json, req.service, requestId);
  } catch (e) {
    if (!(e instanceof IamError)) throw e;
    const body = json
      ? JSON.stringify({ Error: { Type: "Sender", Code: e.code, Message: e.message }, RequestId: requestId })
      : queryErrorXml(req.service, e.code, e.message, requestId);
    return { status: e.status, contentType: json ? "application/json" : "text/xml", body, requestId };
  }
}

async function dispatch(
  service: "iam" | "sts",
  action: string,
  p: QueryParams,
  ctx: OpContext,
): Promise<Shape> {
  if (!action) throw new IamError("MissingAction", "Missing Action");
  const ops = service === "sts" ? STS_OPS : IAM_OPS;
  const anonymous =
    service === "sts" && Object.hasOwn(STS_ANONYMOUS, action) ? STS_ANONYMOUS[action] : undefined;
  if (anonymous) return anonymous(p, ctx);
  if (!Object.hasOwn(ops, action)) {
    throw new IamError(
      "InvalidAction",
      `Could not find operation ${action} for version ${VERSIONS[service]}`,
    );
  }
  const principal = ctx.principal;
  if (!principal) throw new IamError("MissingAuthenticationToken", "Request is missing Authentication Token");
  return ops[action](p, { ...ctx, principal });
}

function render(
  action: string,
  result: Shape,
  json: boolean,
  service: "iam" | "sts",
  requestId: string,
): IamStsResponse {
  const meta = { RequestId: requestId };
  if (json) {
    const inner: Record<string, unknown> = {};
    if (result !== undefined) inner[`${action}Result`] = toJson(result);
    inner.ResponseMetadata = meta;
    return {
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({ [`${action}Response`]: inner }),
      requestId,
    };
  }
  const resultXml = result === undefined ? "" : `<${action}Result>${xmlBody(result)}</${action}Result>`;
  const body =
    `<${action}Response xmlns="${NAMESPACES[service]}">${resultXml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, contentType: "text/xml", body, requestId };
}
