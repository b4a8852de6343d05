import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { CredentialLookup, Principal } from "./credentials.ts";

// Verifies AWS Signature Version 4 on an incoming request, in the Authorization header or presigned in the
// query. The signature is recomputed with @smithy/signature-v4, the signer the SDKs use, from only what the
// client said it signed: the listed headers, the body (or the x-amz-content-sha256 it signed, which must
// then be the body's hash) and the date it stated. Everything else about the request may differ.

export type AuthErrorCode =
  | "MissingAuthenticationToken"
  | "IncompleteSignature"
  | "InvalidClientTokenId"
  | "SignatureDoesNotMatch"
  | "ExpiredToken";

export interface AuthError {
  code: AuthErrorCode;
  message: string;
}

export interface SignedRequest {
  method: string;
  /** Path and query exactly as on the wire, percent-encoding intact. */
  url: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  body?: Uint8Array | string;
}

export interface VerifyOptions {
  /** Epoch ms. */
  now: number;
  /** Usually `(id) => lookupCredential(repo, id, now)`. */
  lookup: (accessKeyId: string) => Promise<CredentialLookup>;
}

export type VerifyResult =
  | { ok: true; principal: Principal; service: string; region: string; accessKeyId: string }
  | { ok: false; error: AuthError };

export const AUTH_MESSAGES = {
  MissingAuthenticationToken: "Request is missing Authentication Token",
  InvalidClientTokenId: "The security token included in the request is invalid.",
  SignatureDoesNotMatch:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  ExpiredToken: "The security token included in the request is expired",
} as const;

const ALGORITHM = "AWS4-HMAC-SHA256";
const SKEW_MS = 15 * 60_000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const PRESIGN_PARAMS = new Set([
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
]);

const fail = (code: AuthErrorCode, message?: string): VerifyResult => ({
  ok: false,
  error: { code, message: message ?? AUTH_MESSAGES[code as keyof typeof AUTH_MESSAGES] },
});
const mismatch = (): VerifyResult => fail("SignatureDoesNotMatch");

interface Claim {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  date: Date;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  sessionToken?: string;
  /** Presigned only. */
  expires?: number;
}

export async function verifySigV4(req: SignedRequest, opts: VerifyOptions): Promise<VerifyResult> {
  const headers = lowerHeaders(req.headers);
  const q = req.url.indexOf("?");
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = parseQuery(q < 0 ? "" : req.url.slice(q + 1));
  if (!query) return mismatch();
  const authorization = headers.get("authorization");
  let claim: Claim | AuthError;
  if (authorization) claim = headerClaim(authorization, headers);
  else if (query["X-Amz-Algorithm"] !== undefined || query["X-Amz-Credential"] !== undefined)
    claim = queryClaim(query);
  else return fail("MissingAuthenticationToken");
  if ("code" in claim) return { ok: false, error: claim };

  const skew = timeError(claim, opts.now);
  if (skew) return fail("SignatureDoesNotMatch", skew);
  const cred = await opts.lookup(claim.accessKeyId);
  if (!cred.ok) return fail(cred.reason === "expired" ? "ExpiredToken" : "InvalidClientTokenId");
  if (cred.sessionToken !== claim.sessionToken) return fail("InvalidClientTokenId");

  const signed: Record<string, string> = {};
  for (const h of claim.signedHeaders) {
    const v = headers.get(h);
    if (v === undefined) return mismatch();
    signed[h] = v;
  }
  if (signed.host === undefined && signed[":authority"] === undefined) return mismatch();
  const body = req.body === undefined || req.body.length === 0 ? undefined : req.body;
  const declared = signed["x-amz-content-sha256"];
  if (declared !== undefined && declared !== sha256Hex(body ?? "")) {
    if (!(declared === "UNSIGNED-PAYLOAD" && claim.service === "s3")) return mismatch();
  }

  const signer = new SignatureV4({
    service: claim.service,
    region: claim.region,
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: claim.service !== "s3",
    credentials: {
      accessKeyId: claim.accessKeyId,
      secretAccessKey: cred.secret,
      // Only a token the client signed may enter the canonical request; an unsigned one was checked above.
      sessionToken:
        claim.expires !== undefined || claim.signedHeaders.includes("x-amz-security-token")
          ? claim.sessionToken
          : undefined,
    },
  });
  const common = {
    signingDate: claim.date,
    signingRegion: claim.region,
    signingService: claim.service,
    signableHeaders: new Set(claim.signedHeaders),
  };
  let computed: string | undefined;
  if (claim.expires === undefined) {
    const r = new HttpRequest({ method: req.method, path, query, headers: signed, body });
    const out = await signer.sign(r, common);
    computed = /Signature=([0-9a-f]+)/.exec(out.headers.authorization ?? "")?.[1];
  } else {
    const rest: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(query)) {
      // A presigning SDK hoists x-amz-content-sha256 into the query but hashes the payload by it: give it
      // back as a header, under the same name, so presign hoists it again.
      if (k.toLowerCase() === "x-amz-content-sha256" && typeof v === "string") signed[k] = v;
      else if (!PRESIGN_PARAMS.has(k)) rest[k] = v;
    }
    const r = new HttpRequest({ method: req.method, path, query: rest, headers: signed, body });
    const out = await signer.presign(r, {
      ...common,
      expiresIn: claim.expires,
      unhoistableHeaders: new Set(claim.signedHeaders),
    });
    const sig = out.query?.["X-Amz-Signature"];
    computed = typeof sig === "string" ? sig : undefined;
  }
  if (!computed || !sameHex(computed, claim.signature)) return mismatch();
  return {
    ok: true,
    principal: cred.principal,
    service: claim.service,
    region: claim.region,
    accessKeyId: claim.accessKeyId,
  };
}

function headerClaim(authorization: string, headers: Map<string, string>): Claim | AuthError {
  const incomplete = (message: string): AuthError => ({ code: "IncompleteSignature", message });
  const sp = authorization.indexOf(" ");
  const algorithm = sp < 0 ? authorization : authorization.slice(0, sp);
  if (algorithm !== ALGORITHM) {
    return incomplete(`Unsupported AWS 'algorithm': '${algorithm}'.`);
  }
  const parts: Record<string, string> = {};
  for (const p of authorization.slice(sp + 1).split(",")) {
    const eq = p.indexOf("=");
    if (eq > 0) parts[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  const amzDate = headers.get("x-amz-date");
  const missing = [
    parts.Credential ? "" : "Authorization header requires 'Credential' parameter.",
    parts.Signature ? "" : "Authorization header requires 'Signature' parameter.",
    parts.SignedHeaders ? "" : "Authorization header requires 'SignedHeaders' parameter.",
    amzDate ? "" : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  ].filter(Boolean);
  if (missing.length) return incomplete(`${missing.join(" ")} Authorization=${authorization}`);
  return buildClaim(parts.Credential, amzDate!, parts.SignedHeaders, parts.Signature, {
    sessionToken: headers.get("x-amz-security-token"),
  });
}

function queryClaim(q: Record<string, string | string[]>): Claim | AuthError {
  const one = (k: string): string | undefined => (typeof q[k] === "string" ? (q[k] as string) : undefined);
  if (one("X-Amz-Algorithm") !== ALGORITHM) {
    return {
      code: "IncompleteSignature",
      message: `Unsupported AWS 'algorithm': '${one("X-Amz-Algorithm")}'.`,
    };
  }
  const required = [
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
  ];
  const missing = required.filter((k) => !one(k));
  if (missing.length) {
    return {
      code: "IncompleteSignature",
      message: missing.map((k) => `AWS query-string parameters must include '${k}'.`).join(" "),
    };
  }
  const expires = Number(one("X-Amz-Expires"));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
    return { code: "IncompleteSignature", message: "X-Amz-Expires must be between 1 and 604800 seconds." };
  }
  return buildClaim(
    one("X-Amz-Credential")!,
    one("X-Amz-Date")!,
    one("X-Amz-SignedHeaders")!,
    one("X-Amz-Signature")!,
    { sessionToken: one("X-Amz-Security-Token"), expires },
  );
}

function buildClaim(
  credential: string,
  amzDate: string,
  signedHeaders: string,
  signature: string,
  extra: { sessionToken?: string; expires?: number },
): Claim | AuthError {
  const scope = credential.split("/");
  if (scope.length !== 5 || scope.some((s) => !s)) {
    return { code: "IncompleteSignature", message: `Credential is malformed: '${credential}'.` };
  }
  if (scope[4] !== "aws4_request") {
    return {
      code: "SignatureDoesNotMatch",
      message: `Credential should be scoped with a valid terminator: 'aws4_request', not '${scope[4]}'.`,
    };
  }
  const date = parseAmzDate(amzDate);
  if (!date) {
    return {
      code: "IncompleteSignature",
      message: `Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`,
    };
  }
  return {
    accessKeyId: scope[0],
    shortDate: scope[1],
    region: scope[2],
    service: scope[3],
    date,
    amzDate,
    signedHeaders: signedHeaders.toLowerCase().split(";"),
    signature,
    ...extra,
  };
}

/** AWS's wording when the stated date is outside the window the signature is good for. */
function timeError(c: Claim, now: number): string | undefined {
  const at = c.date.getTime();
  if (at > now + SKEW_MS) {
    return `Signature not yet current: ${c.amzDate} is still later than ${amz(now + SKEW_MS)} (${amz(now)} + 15 min.)`;
  }
  if (c.expires === undefined && at < now - SKEW_MS) {
    return `Signature expired: ${c.amzDate} is now earlier than ${amz(now - SKEW_MS)} (${amz(now)} - 15 min.)`;
  }
  if (c.expires !== undefined && now > at + c.expires * 1000) {
    return `Signature expired: ${c.amzDate} is now earlier than ${amz(now - c.expires * 1000)} (${amz(now)} - ${c.expires} sec.)`;
  }
  return undefined;
}

function amz(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

function lowerHeaders(h: SignedRequest["headers"]): Map<string, string> {
  const out = new Map<string, string>();
  if (h instanceof Headers) h.forEach((v, k) => out.set(k.toLowerCase(), v));
  else
    for (const [k, v] of Object.entries(h)) {
      if (v !== undefined) out.set(k.toLowerCase(), Array.isArray(v) ? v.join(",") : v);
    }
  return out;
}

/** Decoded query parameters; `+` stays a plus, as SigV4 clients encode spaces as %20. Undefined if malformed. */
function parseQuery(raw: string): Record<string, string | string[]> | undefined {
  const out: Record<string, string | string[]> = {};
  try {
    for (const pair of raw.split("&")) {
      if (!pair) continue;
      const eq = pair.indexOf("=");
      const k = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const v = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  } catch {
    return undefined;
  }
  return out;
}

function sha256Hex(body: Uint8Array | string): string {
  return createHash("sha256").update(body).digest("hex");
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
