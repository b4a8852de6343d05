import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { beforeEach, describe, expect, it } from "vitest";
import { jsonAuthErrorResponse, queryAuthErrorResponse } from "../../lib/identity/iam/auth-errors.ts";
import { ensureAdmin } from "../../lib/identity/iam/bootstrap.ts";
import { lookupCredential } from "../../lib/identity/iam/credentials.ts";
import { MemoryIamRepo } from "../../lib/identity/iam/memory-repo.ts";
import { mintRoleSession } from "../../lib/identity/iam/ops/session.ts";
import { type SignedRequest, verifySigV4 } from "../../lib/identity/iam/sigv4-verify.ts";
import { ACCOUNT, T0 } from "../../lib/identity/iam/testing.ts";

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let repo: MemoryIamRepo;
let admin: Creds;

beforeEach(async () => {
  repo = new MemoryIamRepo();
  admin = await ensureAdmin(repo, ACCOUNT, { now: T0 });
});

const verify = (req: SignedRequest, now = T0) =>
  verifySigV4(req, { now, lookup: (id) => lookupCredential(repo, id, now) });

/** Signs like an SDK and returns the request as the server sees it. */
async function signed(
  creds: Creds,
  o: {
    method?: string;
    path?: string;
    query?: Record<string, string>;
    body?: string;
    service?: string;
    at?: number;
  } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: o.service ?? "sts",
    region: "us-east-1",
    sha256: Sha256,
    credentials: creds,
  });
  const req = new HttpRequest({
    method: o.method ?? "POST",
    hostname: "127.0.0.1",
    port: 8080,
    path: o.path ?? "/",
    query: o.query,
    headers: {
      host: "127.0.0.1:8080",
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      "user-agent": "aws-cli/2",
    },
    body: o.body,
  });
  const out = await signer.sign(req, { signingDate: new Date(o.at ?? T0) });
  const qs = new URLSearchParams(o.query ?? {}).toString().replace(/\+/g, "%20");
  return {
    method: out.method,
    url: `${out.path}${qs ? `?${qs}` : ""}`,
    headers: { ...out.headers },
    body: o.body,
  };
}

async function presigned(creds: Creds, expiresIn = 60, at = T0): Promise<SignedRequest> {
  const signer = new SignatureV4({ service: "sts", region: "us-east-1", sha256: Sha256, credentials: creds });
  const req = new HttpRequest({
    method: "GET",
    hostname: "127.0.0.1",
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host: "127.0.0.1:8080", "x-k8s-aws-id": "local" },
  });
  const out = await signer.presign(req, { signingDate: new Date(at), expiresIn });
  const qs = Object.entries(out.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return { method: "GET", url: `/?${qs}`, headers: { host: "127.0.0.1:8080", "x-k8s-aws-id": "local" } };
}

describe("SigV4 verification", () => {
  it("accepts a header-signed request with a body and answers the principal, service and region", async () => {
    const r = await verify(await signed(admin, { body: "Action=GetCallerIdentity&Version=2011-06-15" }));
    expect(r).toMatchObject({
      ok: true,
      service: "sts",
      region: "us-east-1",
      accessKeyId: admin.accessKeyId,
      principal: { type: "user", arn: `arn:aws:iam::${ACCOUNT}:user/kumulus-admin`, account: ACCOUNT },
    });
  });

  it("accepts GET with a query, an encoded path and a Headers object", async () => {
    const req = await signed(admin, {
      method: "GET",
      path: "/clusters/a%20b/node-groups",
      query: { maxResults: "10", nextToken: "x y+z" },
      service: "eks",
    });
    const r = await verify({ ...req, headers: new Headers(req.headers as Record<string, string>) });
    expect(r.ok && r.service).toBe("eks");
  });

  it("accepts a presigned URL (the shape of an EKS token)", async () => {
    const r = await verify(await presigned(admin));
    expect(r.ok).toBe(true);
  });

  it("accepts a session's signature when its token matches, with the assumed-role principal", async () => {
    const role = {
      name: "r",
      path: "/",
      arn: `arn:aws:iam::${ACCOUNT}:role/r`,
      roleId: "AROAAAAAAAAAAAAAAAAAA",
      createDate: T0,
      assumeRolePolicyDocument: "{}",
      maxSessionDuration: 3600,
      tags: [],
      attachedPolicies: [],
      inlinePolicies: {},
    };
    const s = await mintRoleSession({
      repo,
      account: ACCOUNT,
      now: T0,
      role,
      sessionName: "s1",
      durationSeconds: 900,
    });
    const creds = {
      accessKeyId: s.accessKeyId,
      secretAccessKey: s.secretAccessKey,
      sessionToken: s.sessionToken,
    };
    const ok = await verify(await signed(creds, { body: "Action=GetCallerIdentity" }));
    expect(ok).toMatchObject({
      ok: true,
      principal: {
        type: "assumed-role",
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s1`,
        sessionName: "s1",
      },
    });
    expect((await verify(await presigned(creds))).ok).toBe(true);
    const forgedToken = await signed({ ...creds, sessionToken: "forged" }, { body: "x" });
    expect(await verify(forgedToken)).toMatchObject({ ok: false, error: { code: "InvalidClientTokenId" } });
    const noToken = await signed({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey });
    expect(await verify(noToken)).toMatchObject({ ok: false, error: { code: "InvalidClientTokenId" } });
    const later = await signed(creds, { at: T0 + 901_000 });
    expect(await verify(later, T0 + 901_000)).toMatchObject({
      ok: false,
      error: { code: "ExpiredToken", message: "The security token included in the request is expired" },
    });
  });

  const cases: [string, () => Promise<SignedRequest>, string, string?][] = [
    [
      "no authentication",
      async () => ({ method: "POST", url: "/", headers: { host: "h" } }),
      "MissingAuthenticationToken",
    ],
    [
      "a wrong secret",
      () => signed({ ...admin, secretAccessKey: "x".repeat(40) }, { body: "a=b" }),
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    ],
    [
      "a tampered body",
      async () => ({ ...(await signed(admin, { body: "Action=A" })), body: "Action=B" }),
      "SignatureDoesNotMatch",
    ],
    [
      "a tampered query",
      async () => {
        const r = await signed(admin, { method: "GET", query: { a: "1" } });
        return { ...r, url: "/?a=2" };
      },
      "SignatureDoesNotMatch",
    ],
    [
      "a tampered signed header",
      async () => {
        const r = await signed(admin, { body: "a" });
        return { ...r, headers: { ...(r.headers as Record<string, string>), "content-type": "text/plain" } };
      },
      "SignatureDoesNotMatch",
    ],
    [
      "an unknown key",
      () => signed({ accessKeyId: "AKIAUNKNOWNUNKNOWN00", secretAccessKey: "s" }),
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
    ],
    [
      "a date 30 minutes old",
      () => signed(admin, { at: T0 - 30 * 60_000 }),
      "SignatureDoesNotMatch",
      "Signature expired: 20261202T100000Z is now earlier than 20261202T101500Z (20261202T103000Z - 15 min.)",
    ],
    [
      "a date 16 minutes ahead",
      () => signed(admin, { at: T0 + 16 * 60_000 }),
      "SignatureDoesNotMatch",
      "Signature not yet current: 20261202T104600Z is still later than 20261202T104500Z (20261202T103000Z + 15 min.)",
    ],
    ["a presigned URL past X-Amz-Expires", () => presigned(admin, 60, T0 - 61_000), "SignatureDoesNotMatch"],
    [
      "a malformed Authorization",
      async () => ({
        method: "GET",
        url: "/",
        headers: { host: "h", authorization: "AWS4-HMAC-SHA256 Signature=abc" },
      }),
      "IncompleteSignature",
    ],
  ];
  it.each(cases)("rejects %s", async (_name, make, code, message) => {
    const r = await verify(await make());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    if (message) expect(r.error.message).toBe(message);
  });

  it("accepts 14 minutes of skew either way", async () => {
    expect((await verify(await signed(admin, { at: T0 - 14 * 60_000 }))).ok).toBe(true);
    expect((await verify(await signed(admin, { at: T0 + 14 * 60_000 }))).ok).toBe(true);
  });

  it("rejects inactive and deleted keys, and keys of a deleted user", async () => {
    const req = await signed(admin, { body: "a=b" });
    const key = (await repo.get("key", admin.accessKeyId))!;
    await repo.put("key", { ...key, status: "Inactive" });
    expect(await verify(req)).toMatchObject({ ok: false, error: { code: "InvalidClientTokenId" } });
    await repo.put("key", key);
    expect((await verify(req)).ok).toBe(true);
    await repo.delete("user", "kumulus-admin");
    expect(await verify(req)).toMatchObject({ ok: false, error: { code: "InvalidClientTokenId" } });
    await repo.delete("key", admin.accessKeyId);
    expect(await verify(req)).toMatchObject({ ok: false, error: { code: "InvalidClientTokenId" } });
  });
});

describe("authentication error renderings", () => {
  it("renders the query protocol's ErrorResponse", async () => {
    const res = queryAuthErrorResponse(
      { code: "InvalidClientTokenId", message: "The security token included in the request is invalid." },
      "sts",
      { requestId: "r-1" },
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("text/xml");
    expect(await res.text()).toBe(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>',
    );
    const expired = queryAuthErrorResponse({ code: "ExpiredToken", message: "m" }, "iam");
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('xmlns="https://iam.amazonaws.com/doc/2010-05-08/"');
  });

  it.each([
    [
      "InvalidClientTokenId",
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    ],
    ["SignatureDoesNotMatch", "InvalidSignatureException", "sig"],
    ["ExpiredToken", "ExpiredTokenException", "The security token included in the request is expired"],
    ["MissingAuthenticationToken", "MissingAuthenticationTokenException", "Missing Authentication Token"],
  ] as const)("renders %s as restJson1 %s", async (code, type, message) => {
    const res = jsonAuthErrorResponse({
      code,
      message:
        code === "SignatureDoesNotMatch" ? "sig" : code === "MissingAuthenticationToken" ? "x" : message,
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-amzn-ErrorType")).toBe(type);
    expect(await res.json()).toEqual({ message });
  });
});
