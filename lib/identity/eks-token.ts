import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

// EKS bearer tokens (`aws eks get-token`): "k8s-aws-v1." + unpadded base64url of a presigned STS
// GetCallerIdentity URL whose signature covers the header x-k8s-aws-id = the cluster name. The name itself is
// not in the URL, so a token names its cluster only to someone who can check the signature: recomputing it
// with the access key's secret for a candidate name tells whether the token was made for that cluster.
// Pure over the token, the clock and a secret lookup; the signature is recomputed with @smithy/signature-v4,
// the signer the AWS SDKs use, rather than a hand-written SigV4.

export const TOKEN_PREFIX = "k8s-aws-v1.";
const MAX_TOKEN_BYTES = 4096;
/** aws-iam-authenticator accepts a token for 15 minutes after X-Amz-Date, whatever X-Amz-Expires says. */
const VALID_MS = 15 * 60_000;

export interface PresignedToken {
  url: URL;
  accessKeyId: string;
  region: string;
  date: Date;
  expiresSeconds: number;
  signature: string;
  sessionToken?: string;
}

/** Parses a token's shape; undefined when it is not a well-formed EKS token. */
export function parseEksToken(token: string): PresignedToken | undefined {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > MAX_TOKEN_BYTES) return undefined;
  const body = token.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  let url: URL;
  try {
    url = new URL(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const q = url.searchParams;
  if (url.pathname !== "/" || q.get("Action") !== "GetCallerIdentity") return undefined;
  const signed = (q.get("X-Amz-SignedHeaders") ?? "").split(";");
  if (!signed.includes("x-k8s-aws-id")) return undefined;
  const cred = (q.get("X-Amz-Credential") ?? "").split("/");
  const date = parseAmzDate(q.get("X-Amz-Date") ?? "");
  const signature = q.get("X-Amz-Signature") ?? "";
  if (cred.length !== 5 || cred[3] !== "sts" || !date || !signature) return undefined;
  return {
    url,
    accessKeyId: cred[0],
    region: cred[2],
    date,
    expiresSeconds: Number(q.get("X-Amz-Expires") ?? "0"),
    signature,
    sessionToken: q.get("X-Amz-Security-Token") ?? undefined,
  };
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

/** Whether the token is inside its validity window at `now`. */
export function tokenCurrent(t: PresignedToken, now: number): boolean {
  const at = t.date.getTime();
  return t.expiresSeconds > 0 && t.expiresSeconds <= 900 && now >= at - 60_000 && now < at + VALID_MS;
}

/** Whether `t` was signed with `secret` for the cluster named `cluster`. */
export async function signedFor(t: PresignedToken, secret: string, cluster: string): Promise<boolean> {
  const signer = new SignatureV4({
    service: "sts",
    region: t.region,
    sha256: Sha256,
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: secret, sessionToken: t.sessionToken },
  });
  const query: Record<string, string> = {};
  for (const [k, v] of t.url.searchParams) if (!k.startsWith("X-Amz-")) query[k] = v;
  const req = new HttpRequest({
    method: "GET",
    protocol: t.url.protocol,
    hostname: t.url.hostname,
    port: t.url.port ? Number(t.url.port) : undefined,
    path: "/",
    query,
    headers: { host: t.url.host, "x-k8s-aws-id": cluster },
  });
  const signed = await signer.presign(req, {
    signingDate: t.date,
    expiresIn: t.expiresSeconds,
    signableHeaders: new Set(["host", "x-k8s-aws-id"]),
  });
  return signed.query?.["X-Amz-Signature"] === t.signature;
}
