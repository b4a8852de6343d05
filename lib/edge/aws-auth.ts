import type { EksAuthorizer } from "../eks/op.ts";
import { jsonAuthErrorResponse, queryAuthErrorResponse } from "../identity/iam/auth-errors.ts";
import { authorize, notAuthorizedMessage } from "../identity/iam/authorize.ts";
import { type CredentialLookup, lookupCredential, type Principal } from "../identity/iam/credentials.ts";
import { handleIamStsRequest, isAnonymousAction, type VerifyWebIdentity } from "../identity/iam/query.ts";
import type { IamRepo } from "../identity/iam/repo.ts";
import { type VerifyResult, verifySigV4 } from "../identity/iam/sigv4-verify.ts";

// The AWS side of the edge: SigV4 on every EKS, IAM and STS call, and the IAM and STS query APIs served on
// the stack's own endpoint (the `kumulus` profile's endpoint_url reaches all three). Access keys are looked
// up on every signed request and every bearer token, so answers are kept for a few seconds; any IAM write
// through this process drops them at once, so a deleted key stops working on the next request here.

const CACHE_MS = 5_000;
const READ_ONLY = /^(Get|List)/;

export class AwsAuth {
  private cache = new Map<string, { at: number; value: Promise<CredentialLookup> }>();

  constructor(
    readonly repo: IamRepo,
    readonly account: string,
    private readonly verifyWebIdentity?: VerifyWebIdentity,
  ) {}

  /** The secret and principal behind an access key id, as of now. */
  lookup = (accessKeyId: string): Promise<CredentialLookup> => {
    const hit = this.cache.get(accessKeyId);
    const now = Date.now();
    if (hit && now - hit.at < CACHE_MS) return hit.value;
    const value = lookupCredential(this.repo, accessKeyId, now);
    this.cache.set(accessKeyId, { at: now, value });
    if (this.cache.size > 10_000) this.cache.clear();
    return value;
  };

  forget(): void {
    this.cache.clear();
  }

  /** Verifies the request's SigV4 signature; `body` is the request's bytes (already read). */
  verify(req: Request, body: Uint8Array): Promise<VerifyResult> {
    const url = new URL(req.url);
    return verifySigV4(
      { method: req.method, url: `${url.pathname}${url.search}`, headers: req.headers, body },
      { now: Date.now(), lookup: this.lookup },
    );
  }

  /** Answers an IAM or STS query-protocol request. */
  async query(req: Request, body: Uint8Array): Promise<Response> {
    const url = new URL(req.url);
    const params =
      req.method === "GET" ? url.searchParams : new URLSearchParams(Buffer.from(body).toString("utf8"));
    const accept = req.headers.get("accept") ?? undefined;
    const action = params.get("Action");
    let principal: Principal | undefined;
    let service: "iam" | "sts" = "sts";
    if (!isAnonymousAction("sts", action)) {
      const v = await this.verify(req, body);
      if (!v.ok)
        return queryAuthErrorResponse(
          v.error,
          /\/iam\/aws4_request/.test(req.headers.get("authorization") ?? "") ? "iam" : "sts",
          { accept },
        );
      service = v.service === "iam" ? "iam" : "sts";
      principal = v.principal;
    }
    const out = await handleIamStsRequest(
      { service, params, accept },
      {
        repo: this.repo,
        account: this.account,
        now: Date.now(),
        principal,
        verifyWebIdentity: this.verifyWebIdentity,
      },
    );
    if (service === "iam" && !READ_ONLY.test(action ?? "")) this.forget();
    return new Response(out.body, {
      status: out.status,
      headers: { "content-type": out.contentType, "x-amzn-requestid": out.requestId },
    });
  }

  /**
   * The EKS API's authorizer for one verified principal: its identity policies (and a session's policy)
   * decide each `eks:` action, as IAM decides for EKS. The root is always allowed, by authorize() itself.
   */
  eksAuthorizer(principal: Principal): EksAuthorizer {
    return async (action, resource) => {
      const v = await authorize(this.repo, principal, action, resource);
      return v.decision === "allow"
        ? { allowed: true }
        : { allowed: false, message: notAuthorizedMessage(principal, action, resource, v) };
    };
  }

  /** A restJson1 (EKS) authentication failure. */
  eksError(v: Extract<VerifyResult, { ok: false }>): Response {
    return jsonAuthErrorResponse(v.error);
  }
}

/** An IAM or STS query-protocol call: `Action=` on the root path, in the form body or the query string. */
export function isQueryCall(req: Request, url: URL): boolean {
  if (url.pathname !== "/") return false;
  if (req.method === "GET")
    return url.searchParams.has("Action") && !req.headers.get("authorization")?.startsWith("Bearer");
  return (
    req.method === "POST" &&
    (req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")
  );
}
