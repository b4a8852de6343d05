import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { atomicWrite } from "./files.ts";

export interface AwsEnvOptions {
  dataDir: string;
  /** https://127.0.0.1:P */
  endpoint: string;
  /** us-east-1 */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** D/ca.pem; absent with --http */
  caFile?: string;
}

export const AWS_PROFILE_NAME = "kumulus";

/**
 * Variables a user's shell may already hold that would beat the kumulus profile: botocore takes
 * AWS_ACCESS_KEY_ID & co. before any profile unless the profile comes from --profile, service-specific
 * AWS_ENDPOINT_URL_* beats the global one, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS disables both.
 */
const SHADOWING_VARS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_ENDPOINT_URL_EKS",
  "AWS_ENDPOINT_URL_STS",
  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
  // A bundle left over from an https stack would otherwise linger after sourcing an --http one.
  "AWS_CA_BUNDLE",
];

/** Writes D/aws/config, D/aws/credentials (0600) and D/aws.env; returns the path of aws.env. */
export async function writeAwsEnv(o: AwsEnvOptions): Promise<string> {
  const dataDir = resolve(o.dataDir);
  const awsDir = join(dataDir, "aws");
  const configFile = join(awsDir, "config");
  const credentialsFile = join(awsDir, "credentials");
  const envFile = join(dataDir, "aws.env");
  const caFile = o.caFile === undefined ? undefined : resolve(o.caFile);

  const config = iniSection(`profile ${AWS_PROFILE_NAME}`, {
    region: o.region,
    // botocore >= 1.31 and CLI v2 >= 2.13 apply a profile's endpoint_url to every service client, including
    // the STS client that `aws eks get-token` creates, so the presigned token points at this stack too.
    endpoint_url: o.endpoint,
    ca_bundle: caFile,
    output: "json",
  });
  const credentials = iniSection(AWS_PROFILE_NAME, {
    aws_access_key_id: o.accessKeyId,
    aws_secret_access_key: o.secretAccessKey,
  });

  const vars: [string, string | undefined][] = [
    ["AWS_CONFIG_FILE", configFile],
    ["AWS_SHARED_CREDENTIALS_FILE", credentialsFile],
    ["AWS_PROFILE", AWS_PROFILE_NAME],
    ["AWS_REGION", o.region],
    ["AWS_DEFAULT_REGION", o.region],
    // The aws CLI does not need it (the profile's endpoint_url already reaches every client, get-token's STS
    // one included), but tools that read only the environment do, and it outranks any profile, so an
    // `aws --profile other …` typed in this shell stays local instead of reaching AWS with our CA bundle.
    ["AWS_ENDPOINT_URL", o.endpoint],
    ["AWS_CA_BUNDLE", caFile],
    ["KUMULUS_ENDPOINT", o.endpoint],
  ];
  const env = [
    // No paths in the comment: a line break in one would end the comment and run the rest.
    "# Written by kumulus at each start. Source it (. aws.env) to point the aws CLI at the local stack.",
    `unset ${SHADOWING_VARS.join(" ")}`,
    ...vars.filter(([, v]) => v !== undefined).map(([k, v]) => `export ${k}=${shellQuote(v!)}`),
    "",
  ].join("\n");

  await mkdir(awsDir, { recursive: true, mode: 0o700 });
  await atomicWrite(configFile, config, 0o644);
  await atomicWrite(credentialsFile, credentials, 0o600);
  await atomicWrite(envFile, env, 0o644);
  return envFile;
}

function iniSection(name: string, entries: Record<string, string | undefined>): string {
  const lines = [`[${name}]`];
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined) continue;
    // The INI dialect has no quoting or escapes: a line break would start a forged key or section.
    if (/[\r\n]/.test(v)) throw new Error(`aws ${k} must not contain a line break`);
    lines.push(`${k} = ${v}`);
  }
  return `${lines.join("\n")}\n`;
}

/** POSIX single-quoting: nothing inside '…' is special except the quote itself. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
