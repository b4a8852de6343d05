import type { Caller, EksContext } from "./repo.ts";

// The shape every operation under ops/ has: pure logic from a decoded request to the JSON output object.

export interface OpRequest {
  /** Path labels, percent-decoded one segment at a time (name, updateId, addonName, resourceArn). */
  params: Record<string, string>;
  /** Query parameters; repeated keys (tagKeys=a&tagKeys=b) keep every value. */
  query: Record<string, string[]>;
  /** The parsed JSON body; {} when the request had none. */
  body: unknown;
  /** Who signed the request; the router puts the account root here when the edge passed no caller. */
  caller: Caller;
}

/** IAM's answer for one action on one resource: a denial carries AWS's AccessDenied message. */
export type EksAuthorization = { allowed: true } | { allowed: false; message: string };

/**
 * Whether the request's verified principal may perform an IAM action (`eks:DescribeCluster`) on a resource
 * ARN (or `*`). The edge binds one to each request's principal, so the EKS room needs no IAM store.
 */
export type EksAuthorizer = (action: string, resource: string) => Promise<EksAuthorization>;

export type Op = (ctx: EksContext, req: OpRequest) => Promise<Record<string, unknown>>;

export function nowMs(ctx: EksContext): number {
  return ctx.now ? ctx.now() : Date.now();
}

/** The first value of a query parameter. */
export function queryOne(req: OpRequest, key: string): string | undefined {
  return req.query[key]?.[0];
}
