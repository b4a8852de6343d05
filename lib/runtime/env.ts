import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type QueueName, queueEnvVar, queues, type TableName, tableEnvVar, tables } from "../topology.ts";

// Resolves physical table names and queue URLs from the environment, the way both Lambda (env set by CDK)
// and the local runtime (env set before handlers load) configure functions.

export interface RuntimeEnv {
  stage: string;
  tables: Record<TableName, string>;
  queues: Partial<Record<QueueName, string>>;
  ddb: DynamoDBClient;
  sqs: SQSClient;
}

let cached: RuntimeEnv | undefined;

// Node 20 is supported locally (the Lambda runtime is 22); the SDK's upgrade notice would only add noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export function runtimeEnv(): RuntimeEnv {
  if (cached) return cached;
  const stage = process.env.KUMULUS_STAGE ?? "local";
  const t = {} as Record<TableName, string>;
  for (const name of Object.keys(tables) as TableName[]) {
    t[name] = process.env[tableEnvVar(name)] ?? `kumulus-${stage}-${name}`;
  }
  const q: Partial<Record<QueueName, string>> = {};
  for (const name of Object.keys(queues) as QueueName[]) {
    const url = process.env[queueEnvVar(name)];
    if (url) q[name] = url;
  }
  const endpoint = process.env.KUMULUS_DYNAMODB_ENDPOINT ?? process.env.AWS_ENDPOINT_URL;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  const local = Boolean(process.env.KUMULUS_DYNAMODB_ENDPOINT);
  const credentials = local ? localDynamoCredentials() : undefined;
  cached = {
    stage,
    tables: t,
    queues: q,
    ddb: new DynamoDBClient({ region, endpoint, credentials, maxAttempts: 5 }),
    sqs: new SQSClient({
      region,
      endpoint: process.env.KUMULUS_SQS_ENDPOINT ?? process.env.AWS_ENDPOINT_URL,
      credentials: process.env.KUMULUS_SQS_ENDPOINT
        ? { accessKeyId: "local", secretAccessKey: "local" }
        : undefined,
    }),
  };
  return cached;
}

/**
 * The embedded DynamoDB Local keeps one database per access key and region, and the local stack picks a
 * random key per data directory: a process that does not know it sees empty tables, not the clusters.
 */
export function localDynamoCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: process.env.KUMULUS_DYNAMODB_ACCESS_KEY_ID ?? "local",
    secretAccessKey: process.env.KUMULUS_DYNAMODB_SECRET_ACCESS_KEY ?? "local",
  };
}

/** Forget cached clients (the local runtime sets env vars before first use; tests may reset). */
export function resetRuntimeEnv(): void {
  cached = undefined;
}
