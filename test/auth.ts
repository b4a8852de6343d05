import { readFileSync } from "node:fs";
import path from "node:path";
import { type AwsKey, presignEksToken, signedHeaders } from "../lib/identity/sigv4-sign.ts";

// Real credentials for tests: requests to the EKS, IAM and STS APIs are SigV4-signed with an access key, and
// Kubernetes requests carry the bearer token `aws eks get-token` makes (a presigned STS GetCallerIdentity
// URL on the stack's own endpoint, with the cluster name signed in x-k8s-aws-id). Nothing bypasses the
// authenticators.

export type { AwsKey };

export const REGION = "us-east-1";

const keys = new Map<string, AwsKey>();

/** Remembers the admin key of the stack at `url` (read from its data dir's admin-key.json). */
export function registerStack(url: string, dataDir: string): AwsKey {
  const key = JSON.parse(readFileSync(path.join(dataDir, "admin-key.json"), "utf8")) as AwsKey;
  keys.set(origin(url), key);
  return key;
}

export function registerStackKey(url: string, key: AwsKey): void {
  keys.set(origin(url), key);
}

export function adminKeyOf(url: string): AwsKey {
  const k = keys.get(origin(url));
  if (!k) throw new Error(`no admin key registered for the stack at ${url}`);
  return k;
}

function origin(url: string): string {
  return new URL(url).origin;
}

/** The token `aws eks get-token --cluster-name <cluster>` makes, with the stack's STS as its endpoint. */
export function eksToken(stackUrl: string, cluster: string, key = adminKeyOf(stackUrl)): Promise<string> {
  return presignEksToken(stackUrl, cluster, key, REGION);
}

/** fetch, SigV4-signed as the aws CLI signs `service` calls. */
export async function signedFetch(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  key: AwsKey = adminKeyOf(url),
  service = "eks",
): Promise<Response> {
  const headers = await signedHeaders(url, init, key, service, REGION);
  return fetch(url, { method: init.method ?? "GET", headers, body: init.body });
}

const tokens = new Map<string, { token: string; at: number }>();

/** fetch to a cluster's Kubernetes API (/clusters/NAME/...) with the admin's bearer token for it. */
export async function kubeFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const u = new URL(url);
  const cluster = decodeURIComponent(/^\/clusters\/([^/]+)/.exec(u.pathname)?.[1] ?? "");
  const id = `${u.origin} ${cluster}`;
  let t = tokens.get(id);
  if (!t || Date.now() - t.at > 5 * 60_000) {
    t = { token: await eksToken(u.origin, cluster), at: Date.now() };
    tokens.set(id, t);
  }
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${t.token}`);
  return fetch(url, { ...init, headers });
}
