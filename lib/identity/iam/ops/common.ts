import { z } from "zod";
import { authorize, notAuthorizedMessage } from "../authorize.ts";
import type { Principal } from "../credentials.ts";
import { IamError, noSuchUser } from "../errors.ts";
import { userArn } from "../ids.ts";
import type { IamRepo, IamRole, IamUser, Tag } from "../repo.ts";
import { parseInput, str } from "../validate.ts";
import type { Shape } from "../xml.ts";

// What every IAM and STS operation shares: its context, the request parameters of the query protocol,
// the authorization check, and the shapes of users and roles in responses.

export interface WebIdentityClaims {
  /** The token's issuer without the scheme, e.g. `oidc.example/id/ABC`. */
  issuer: string;
  sub: string;
  aud: string | string[];
}

/** Verifies a web identity token (signature, expiry); undefined when it is not valid. */
export type VerifyWebIdentity = (token: string) => Promise<WebIdentityClaims | undefined>;

export interface OpContext {
  repo: IamRepo;
  account: string;
  /** Epoch ms. */
  now: number;
  /** Undefined only for unauthenticated operations (AssumeRoleWithWebIdentity). */
  principal: Principal | undefined;
  verifyWebIdentity?: VerifyWebIdentity;
}

export interface AuthedContext extends OpContext {
  principal: Principal;
}

/** The flattened parameters of a query-protocol request: `Action`, `UserName`, `Tags.member.1.Key`, …. */
export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** Every top-level scalar, first value wins, for zod to check. */
  flat(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.params) if (!k.includes(".") && !(k in out)) out[k] = v;
    return out;
  }

  /** `P.member.N.F` entries as objects ordered by N (`P.member.N` scalars come back as `{ "": v }`). */
  members(prefix: string): Record<string, string>[] {
    const byIndex = new Map<number, Record<string, string>>();
    const head = `${prefix}.member.`;
    for (const [k, v] of this.params) {
      if (!k.startsWith(head)) continue;
      const [n, ...rest] = k.slice(head.length).split(".");
      const i = Number(n);
      if (!Number.isInteger(i) || i < 1) continue;
      const entry = byIndex.get(i) ?? {};
      entry[rest.join(".")] = v;
      byIndex.set(i, entry);
    }
    return [...byIndex].sort(([a], [b]) => a - b).map(([, e]) => e);
  }
}

export type Op = (p: QueryParams, ctx: AuthedContext) => Promise<Shape>;
export type AnonymousOp = (p: QueryParams, ctx: OpContext) => Promise<Shape>;

/** Throws AccessDenied unless the caller's identity policies allow `action` on `resource`. */
export async function requireAllowed(ctx: AuthedContext, action: string, resource: string): Promise<void> {
  const v = await authorize(ctx.repo, ctx.principal, action, resource);
  if (v.decision !== "allow") {
    throw new IamError("AccessDenied", notAuthorizedMessage(ctx.principal, action, resource, v));
  }
}

const TagSchema = z.object({
  Key: str("tags.member.key", { min: 1, max: 128 }),
  Value: str("tags.member.value", { min: 0, max: 256 }),
});

export function tagsOf(p: QueryParams): Tag[] {
  const tags = p.members("Tags").map((t) => parseInput(TagSchema, t));
  if (tags.length > 50) {
    throw new IamError(
      "ValidationError",
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  }
  return tags;
}

const tagShape = (tags: Tag[]): Shape =>
  tags.length ? tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined;

export function userShape(u: IamUser): Shape {
  return {
    Path: u.path,
    UserName: u.name,
    UserId: u.userId,
    Arn: u.arn,
    CreateDate: new Date(u.createDate),
    Tags: tagShape(u.tags),
  };
}

export function roleShape(r: IamRole): Shape {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: new Date(r.createDate),
    // IAM answers policy documents URL-encoded; the SDKs and the CLI decode them.
    AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicyDocument),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    Tags: tagShape(r.tags),
  };
}

/** The user an operation with an optional UserName acts on: the named one, else the calling user. */
export function targetUserName(ctx: AuthedContext, given: string | undefined): string | undefined {
  if (given !== undefined) return given;
  if (ctx.principal.type === "user") return ctx.principal.name;
  if (ctx.principal.type === "root") return undefined;
  throw new IamError("ValidationError", "Must specify userName when calling with non-User credentials");
}

/** The user's ARN as authorization sees it: the stored one, or a path-less guess for a missing user. */
export async function loadUser(ctx: AuthedContext, name: string): Promise<{ user?: IamUser; arn: string }> {
  const user = await ctx.repo.get("user", name);
  return { user, arn: user?.arn ?? userArn(ctx.account, "/", name) };
}

/** Loads a user after checking `action` on it, so callers without the right learn nothing of its existence. */
export async function authorizedUser(ctx: AuthedContext, action: string, name: string): Promise<IamUser> {
  const { user, arn } = await loadUser(ctx, name);
  await requireAllowed(ctx, action, arn);
  if (!user) throw noSuchUser(name);
  return user;
}

/** Marker/MaxItems pagination over a sorted list; the marker is the index to resume at. */
export function page<T>(items: T[], marker: string | undefined, maxItems: number | undefined) {
  const start = marker ? Number.parseInt(Buffer.from(marker, "base64url").toString(), 10) || 0 : 0;
  const size = maxItems ?? 100;
  const slice = items.slice(start, start + size);
  const more = start + size < items.length;
  return {
    items: slice,
    IsTruncated: more,
    Marker: more ? Buffer.from(String(start + size)).toString("base64url") : undefined,
  };
}
