import { TOKEN_PREFIX } from "./eks-token.ts";

// aws-iam-authenticator's checks on a token's shape, in its order and with its messages, before any
// signature is computed. The one deliberate difference is the host: Kumulus serves STS itself, so the
// stack's own host (and scheme) is allowed next to AWS's STS hosts.

const MAX_TOKEN_BYTES = 4096;
const ALLOWED_KEYS = new Set([
  "action",
  "version",
  "x-amz-algorithm",
  "x-amz-credential",
  "x-amz-date",
  "x-amz-expires",
  "x-amz-security-token",
  "x-amz-signature",
  "x-amz-signedheaders",
]);
const AWS_STS_HOST = /^sts(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)?\.amazonaws\.com(\.cn)?$/;

function formatError(why: string): string {
  return `input token was not properly formatted: ${why}`;
}

/** Undefined when the token passes, else the authenticator's reason. `ownHosts` are the stack's host:port. */
export function tokenShapeError(
  token: string,
  ownHosts: ReadonlySet<string>,
  now: number,
): string | undefined {
  if (token.length > MAX_TOKEN_BYTES) return formatError("token is too large");
  if (!token.startsWith(TOKEN_PREFIX))
    return formatError(`token is missing expected "${TOKEN_PREFIX}" prefix`);
  const body = token.slice(TOKEN_PREFIX.length);
  // RawURLEncoding: no padding, URL alphabet only.
  if (!/^[A-Za-z0-9_-]*$/.test(body)) return formatError("illegal base64 data");
  let url: URL;
  try {
    url = new URL(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return formatError("unable to parse the pre-signed URL");
  }
  const own = ownHosts.has(url.host);
  if (url.protocol !== "https:" && !own)
    return formatError(`unexpected scheme "${url.protocol.replace(":", "")}" in pre-signed URL`);
  if (!own && (url.port !== "" || !AWS_STS_HOST.test(url.hostname)))
    return formatError(`unexpected hostname "${url.host}" in pre-signed URL`);
  if (url.pathname !== "/") return formatError("unexpected path in pre-signed URL");
  const seen = new Set<string>();
  for (const [k] of url.searchParams) {
    const key = k.toLowerCase();
    if (seen.has(key)) return formatError(`duplicate query parameter "${k}"`);
    seen.add(key);
    if (!ALLOWED_KEYS.has(key)) return formatError(`non-whitelisted query parameter "${k}"`);
  }
  const get = (name: string) => {
    for (const [k, v] of url.searchParams) if (k.toLowerCase() === name) return v;
    return undefined;
  };
  if (get("action") !== "GetCallerIdentity")
    return formatError("unexpected action parameter in pre-signed URL");
  const signed = (get("x-amz-signedheaders") ?? "").toLowerCase().split(";");
  if (!signed.includes("x-k8s-aws-id"))
    return formatError("client did not sign the x-k8s-aws-id header in the pre-signed URL");
  const expires = Number(get("x-amz-expires"));
  if (!Number.isInteger(expires) || expires < 0 || expires > 900)
    return formatError(`invalid X-Amz-Expires parameter in pre-signed URL: ${get("x-amz-expires")}`);
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(get("x-amz-date") ?? "");
  if (!m) return formatError("error parsing X-Amz-Date parameter");
  const date = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (now > date + 15 * 60_000) return "X-Amz-Date parameter is expired (15 minute expiration)";
  // The authenticator has no future check (STS has its own); a token dated far ahead would outlive its
  // 15 minutes, so more than 5 minutes of skew is refused here.
  if (date > now + 5 * 60_000) return "X-Amz-Date parameter is in the future";
  return undefined;
}
