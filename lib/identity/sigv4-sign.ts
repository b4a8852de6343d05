import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

// Signing as an AWS client signs, for Kumulus' own callers (the local stack creating its clusters, the CLI,
// benchmarks and tests): SigV4 with @smithy/signature-v4, the signer the AWS SDKs use.

export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function signer(service: string, key: AwsKey, region: string): SignatureV4 {
  return new SignatureV4({ service, region, sha256: Sha256, credentials: key });
}

function requestOf(url: URL, method: string, headers: Record<string, string>, body?: string): HttpRequest {
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  return new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host, ...headers },
    body,
  });
}

/** The headers (Authorization, X-Amz-Date, ...) of a signed request. */
export async function signedHeaders(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> },
  key: AwsKey,
  service: string,
  region: string,
): Promise<Record<string, string>> {
  const req = requestOf(new URL(url), init.method ?? "GET", init.headers ?? {}, init.body);
  const signed = await signer(service, key, region).sign(req);
  return signed.headers;
}

/**
 * The bearer token `aws eks get-token --cluster-name <cluster>` makes: a presigned STS GetCallerIdentity
 * URL at `stsUrl` whose signature covers x-k8s-aws-id, base64url without padding after `k8s-aws-v1.`.
 */
export async function presignEksToken(
  stsUrl: string,
  cluster: string,
  key: AwsKey,
  region: string,
  signingDate?: Date,
): Promise<string> {
  const u = new URL(stsUrl);
  u.pathname = "/";
  u.search = "?Action=GetCallerIdentity&Version=2011-06-15";
  const req = requestOf(u, "GET", { "x-k8s-aws-id": cluster });
  const signed = await signer("sts", key, region).presign(req, { expiresIn: 60, signingDate });
  const q = new URLSearchParams(signed.query as Record<string, string>).toString();
  return `k8s-aws-v1.${Buffer.from(`${u.protocol}//${u.host}/?${q}`).toString("base64url")}`;
}
