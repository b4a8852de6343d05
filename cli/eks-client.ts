import { readFileSync } from "node:fs";
import https from "node:https";
import { Sha256 } from "@aws-crypto/sha256-js";
import { EKSClient } from "@aws-sdk/client-eks";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { profileName, profileSettings } from "./aws-config.ts";
import { CliError, type Flags } from "./command.ts";
import type { FlagSpec } from "./flags.ts";
import { httpRequest } from "./http.ts";

// The EKS client every command uses, built from the user's AWS configuration like the aws CLI's: credentials
// and region from the default chain (or --profile / AWS_PROFILE), the endpoint from --endpoint, then
// KUMULUS_ENDPOINT, AWS_ENDPOINT_URL_EKS, AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS itself.
// Nothing here is specific to Kumulus, so the CLI works the same against the local stack, LocalStack and AWS.

export const awsFlags: FlagSpec[] = [
  {
    name: "region",
    short: "r",
    type: "string",
    usage: "AWS region. Defaults to the value set in your AWS config (~/.aws/config)",
  },
  {
    name: "profile",
    short: "p",
    type: "string",
    usage: "AWS credentials profile to use (defaults to value of the AWS_PROFILE environment variable)",
  },
  {
    name: "endpoint",
    type: "string",
    usage:
      "EKS API endpoint (defaults to KUMULUS_ENDPOINT, AWS_ENDPOINT_URL_EKS or the profile's endpoint_url)",
  },
];

export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Aws {
  eks: EKSClient;
  region: string;
  /** The profile given with --profile or AWS_PROFILE, if any: kubeconfigs pass it on to `aws eks get-token`. */
  profile?: string;
  /** The EKS endpoint when it is not AWS's own. */
  endpoint?: string;
  /** Where `aws eks get-token` would sign its STS call. */
  stsUrl: string;
  agent?: https.Agent;
  credentials(): Promise<AwsKey>;
  /** A SigV4-signed call to the EKS endpoint, for the operations the SDK does not know (the cost extension). */
  signedJson(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
}

export interface AwsOptions {
  region?: string;
  profile?: string;
  endpoint?: string;
}

let debug: (message: string) => void = () => {};

/** Where `-v 4` sends a line per AWS call (set by the dispatcher once the logger exists). */
export function setAwsDebugLog(f: (message: string) => void): void {
  debug = f;
}

const env = (k: string): string | undefined => process.env[k] || undefined;

export function resolveEndpoint(o: AwsOptions, profileEndpoint?: string): string | undefined {
  const e =
    o.endpoint ??
    env("KUMULUS_ENDPOINT") ??
    env("AWS_ENDPOINT_URL_EKS") ??
    env("AWS_ENDPOINT_URL") ??
    profileEndpoint;
  return e?.replace(/\/+$/, "");
}

function stsUrlFor(o: AwsOptions, region: string, profileEndpoint?: string): string {
  const e =
    env("AWS_ENDPOINT_URL_STS") ??
    o.endpoint ??
    env("KUMULUS_ENDPOINT") ??
    env("AWS_ENDPOINT_URL") ??
    profileEndpoint ??
    `https://sts.${region}.amazonaws.com`;
  return e.replace(/\/+$/, "");
}

export function awsOptionsFrom(flags: Flags): AwsOptions {
  return {
    region: flags.string("region"),
    profile: flags.string("profile"),
    endpoint: flags.string("endpoint"),
  };
}

export function createAws(o: AwsOptions): Aws {
  const profileGiven = o.profile || env("AWS_PROFILE");
  const settings = profileSettings(profileName(o.profile));
  const region = o.region || env("AWS_REGION") || env("AWS_DEFAULT_REGION") || settings.region;
  if (!region) {
    throw new CliError(
      "AWS Region must be set, please set the AWS Region in AWS config file or as environment variable",
    );
  }
  const endpoint = resolveEndpoint(o, settings.endpointUrl);
  const caFile = env("AWS_CA_BUNDLE") ?? settings.caBundle;
  let agent: https.Agent | undefined;
  if (caFile) {
    let ca: Buffer;
    try {
      ca = readFileSync(caFile);
    } catch (e) {
      throw new CliError(`reading the CA bundle ${JSON.stringify(caFile)}: ${(e as Error).message}`);
    }
    agent = new https.Agent({ ca, keepAlive: true });
  }
  const eks = new EKSClient({
    region,
    endpoint,
    profile: o.profile,
    requestHandler: agent ? new NodeHttpHandler({ httpsAgent: agent }) : undefined,
  });
  eks.middlewareStack.add(
    (next, context) => async (args) => {
      const t0 = performance.now();
      try {
        return await next(args);
      } finally {
        debug(`EKS ${context.commandName ?? "call"} took ${Math.round(performance.now() - t0)}ms`);
      }
    },
    { step: "initialize", name: "kumulusDebugLog" },
  );
  const credentials = async (): Promise<AwsKey> => {
    try {
      const c = await eks.config.credentials();
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
    } catch (e) {
      throw new CliError(
        `checking AWS STS access – cannot get role ARN for current session: ${(e as Error).message}`,
      );
    }
  };
  const eksBase = endpoint ?? `https://eks.${region}.amazonaws.com`;
  return {
    eks,
    region,
    profile: profileGiven,
    endpoint,
    stsUrl: stsUrlFor(o, region, settings.endpointUrl),
    agent,
    credentials,
    async signedJson(method, path, body) {
      const url = new URL(`${eksBase}${path}`);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const req = new HttpRequest({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query,
        headers: {
          host: url.host,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
        body: payload,
      });
      const signer = new SignatureV4({
        service: "eks",
        region,
        sha256: Sha256,
        credentials: await credentials(),
      });
      const signed = await signer.sign(req);
      const res = await httpRequest(url.toString(), {
        method,
        headers: signed.headers,
        body: payload,
        agent,
      });
      let json: unknown;
      try {
        json = res.text ? JSON.parse(res.text) : {};
      } catch {
        json = { message: res.text };
      }
      return { status: res.status, json };
    },
  };
}

/** The wording of an AWS SDK error as eksctl shows it: `ResourceNotFoundException: No cluster found for name: x.` */
export function awsErrorText(e: unknown): string {
  if (e instanceof Error) {
    return e.name && e.name !== "Error" ? `${e.name}: ${e.message}` : e.message;
  }
  return String(e);
}

export function isNotFound(e: unknown): boolean {
  return e instanceof Error && e.name === "ResourceNotFoundException";
}

export function isInUse(e: unknown): boolean {
  return e instanceof Error && (e.name === "ResourceInUseException" || e.name === "ResourceExistsException");
}
