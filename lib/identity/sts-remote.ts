import type { Principal } from "./iam/credentials.ts";

// AWS mode: an `aws eks get-token` token is checked the way aws-iam-authenticator checks it on EKS, by
// sending its presigned GetCallerIdentity request to STS with the x-k8s-aws-id header the signature covers.
// STS answers only when the signature, the key and the cluster name are all right, and says who signed.
// The host was checked against the allowlist before this runs, so the request only ever goes to STS.

export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal?: AbortSignal },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

export type StsOutcome = { ok: true; principal: Principal } | { ok: false; reason: string };

const TIMEOUT_MS = 5_000;

interface CallerIdentity {
  Arn?: unknown;
  UserId?: unknown;
  Account?: unknown;
}

function identityOf(body: string): CallerIdentity | undefined {
  try {
    const json = JSON.parse(body) as {
      GetCallerIdentityResponse?: { GetCallerIdentityResult?: CallerIdentity };
    };
    return json.GetCallerIdentityResponse?.GetCallerIdentityResult;
  } catch {
    // The XML answer, for endpoints that ignore Accept.
    const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
    const arn = tag("Arn");
    return arn ? { Arn: arn, UserId: tag("UserId"), Account: tag("Account") } : undefined;
  }
}

/** The principal an STS caller ARN names (user, assumed role or root). */
export function principalFromArn(arn: string, userId: string, account: string): Principal | undefined {
  const m = /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m || m[3] !== account) return undefined;
  const resource = m[4];
  if (resource === "root") return { type: "root", arn, userId, account };
  if (m[2] === "iam" && resource.startsWith("user/"))
    return { type: "user", arn, userId, account, name: resource.split("/").pop() };
  if (m[2] === "sts" && resource.startsWith("assumed-role/")) {
    const [, role, ...session] = resource.split("/");
    if (!role || session.length === 0) return undefined;
    return {
      type: "assumed-role",
      arn,
      userId,
      account,
      name: role,
      sessionName: session.join("/"),
      roleArn: `arn:${m[1]}:iam::${account}:role/${role}`,
    };
  }
  return undefined;
}

export async function verifyWithSts(
  presignedUrl: URL,
  cluster: string,
  fetchImpl: FetchLike,
): Promise<StsOutcome> {
  let res: { status: number; text(): Promise<string> };
  try {
    res = await fetchImpl(presignedUrl.toString(), {
      headers: { "x-k8s-aws-id": cluster, accept: "application/json" },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    return { ok: false, reason: `error during GET: ${e instanceof Error ? e.message : String(e)}` };
  }
  const body = await res.text();
  if (res.status !== 200)
    return {
      ok: false,
      reason: `sts getCallerIdentity failed: error from AWS (expected 200, got ${res.status})`,
    };
  const id = identityOf(body);
  const arn = typeof id?.Arn === "string" ? id.Arn : "";
  const userId = typeof id?.UserId === "string" ? id.UserId : "";
  const account = typeof id?.Account === "string" ? id.Account : "";
  const principal = arn ? principalFromArn(arn, userId, account) : undefined;
  if (!principal) return { ok: false, reason: "failed to parse the caller identity STS returned" };
  const accessKeyId = new URLSearchParams(presignedUrl.search).get("X-Amz-Credential")?.split("/")[0];
  return { ok: true, principal: { ...principal, ...(accessKeyId ? { accessKeyId } : {}) } };
}
