import { presignEksToken } from "../lib/identity/sigv4-sign.ts";
import { CliError } from "./command.ts";
import type { Aws } from "./eks-client.ts";
import { httpRequest } from "./http.ts";

// The cluster's own Kubernetes API, for the steps eksctl takes through it (aws-auth, service accounts, node
// readiness). Authenticated with the bearer token `aws eks get-token` makes, built here from the same
// credentials instead of spawning the aws CLI: a presigned STS GetCallerIdentity URL with x-k8s-aws-id signed.

/** Tokens are valid 15 minutes; a fresh one every 5 keeps long waits authenticated. */
const TOKEN_TTL_MS = 5 * 60_000;

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

/** The cluster's Kubernetes API refused the caller (401 or 403). */
export class KubeAccessError extends CliError {
  override name = "KubeAccessError";
}

export class Kube {
  private token?: { value: string; at: number };

  constructor(
    private readonly aws: Aws,
    readonly cluster: string,
    /** DescribeCluster's endpoint: the base URL of this cluster's API. */
    private readonly server: string,
  ) {}

  async bearer(): Promise<string> {
    if (!this.token || Date.now() - this.token.at > TOKEN_TTL_MS) {
      const value = await presignEksToken(
        this.aws.stsUrl,
        this.cluster,
        await this.aws.credentials(),
        this.aws.region,
      );
      this.token = { value, at: Date.now() };
    }
    return this.token.value;
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<KubeResponse<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await httpRequest(`${this.server.replace(/\/+$/, "")}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.bearer()}`,
        accept: "application/json",
        ...(payload === undefined ? {} : { "content-type": contentType }),
      },
      body: payload,
      agent: this.aws.agent,
    });
    let parsed: any;
    try {
      parsed = res.text ? JSON.parse(res.text) : {};
    } catch {
      parsed = { message: res.text };
    }
    if (res.status === 401 || res.status === 403) {
      throw new KubeAccessError(
        `${method} ${path} on cluster "${this.cluster}": ${parsed?.message ?? `HTTP ${res.status}`}`,
      );
    }
    return { status: res.status, body: parsed as T };
  }

  /** GET that fails unless 200. */
  async get<T = any>(path: string): Promise<T> {
    const r = await this.request<T>("GET", path);
    if (r.status !== 200)
      throw new CliError(`GET ${path}: ${(r.body as any)?.message ?? `HTTP ${r.status}`}`);
    return r.body;
  }
}
