import type { CreateTableCommandInput, UpdateTimeToLiveCommandInput } from "@aws-sdk/client-dynamodb";
import {
  topology as defaultTopology,
  type FunctionSpec,
  physicalName,
  type QueueName,
  type QueueSpec,
  queueEnvVar,
  type TableName,
  type TableSpec,
  tableEnvVar,
} from "./topology.ts";

// Plain-data wiring derived from lib/topology.ts. The local runtime creates its tables and queues from these
// inputs (local/provision.ts) and can start its pollers from triggerWiring(); the infra tests compare the
// synthesised CloudFormation template with the same data (infra-tests/parity.test.ts), so what `npm start`
// runs and what the CDK app deploys cannot drift.
//
// Every function takes an optional topology so tests can derive the wiring of a modified copy.

/** The shape of lib/topology.ts' `topology`, loose enough for modified copies in tests. */
export interface Topology {
  tables: Record<string, TableSpec>;
  queues: Record<string, QueueSpec>;
  functions: Record<string, FunctionSpec>;
}

const asTopology = (t: unknown) => t as Topology;

/** Logical name of the queue that receives stream batches the router gave up on (the mapping's on-failure). */
export const STREAM_FAILURES = "stream-failures";

/** Seconds a DLQ keeps a poison message (the SQS maximum, 14 days). */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/** Physical Lambda function name, e.g. `kumulus-dev-apiserver`. */
export function functionName(stage: string, logical: string): string {
  return physicalName(stage, logical);
}

/** CreateTable inputs (DynamoDB SDK shapes) for every table, keyed by logical name. */
export function createTableInputs(
  stage: string,
  topo: Topology = asTopology(defaultTopology),
): Record<TableName, CreateTableCommandInput> {
  const out = {} as Record<string, CreateTableCommandInput>;
  for (const [logical, t] of Object.entries(topo.tables)) {
    const keys = [t.partitionKey, ...(t.sortKey ? [t.sortKey] : [])];
    out[logical] = {
      TableName: physicalName(stage, logical),
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
      KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? "HASH" : "RANGE" })),
      ...(t.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: t.stream } } : {}),
    };
  }
  return out as Record<TableName, CreateTableCommandInput>;
}

/** UpdateTimeToLive inputs for the tables that expire items (the watch log and blob chunks). */
export function timeToLiveInputs(
  stage: string,
  topo: Topology = asTopology(defaultTopology),
): UpdateTimeToLiveCommandInput[] {
  return Object.entries(topo.tables)
    .filter(([, t]) => t.ttlAttribute)
    .map(([logical, t]) => ({
      TableName: physicalName(stage, logical),
      TimeToLiveSpecification: { AttributeName: t.ttlAttribute!, Enabled: true },
    }));
}

export interface QueueDefinition {
  logical: QueueName;
  fifo: boolean;
  name: string;
  dlqName: string;
  /** CreateQueue attributes of the work queue (the RedrivePolicy needs the DLQ's ARN, so it is added later). */
  attributes: Record<string, string>;
  dlqAttributes: Record<string, string>;
  maxReceiveCount: number;
}

/** Work queues and their dead-letter queues. */
export function queueDefinitions(
  stage: string,
  topo: Topology = asTopology(defaultTopology),
): QueueDefinition[] {
  return Object.entries(topo.queues).map(([logical, q]) => {
    const fifo: Record<string, string> = q.fifo
      ? { FifoQueue: "true", ContentBasedDeduplication: "false" }
      : {};
    return {
      logical: logical as QueueName,
      fifo: q.fifo,
      name: physicalName(stage, logical, q.fifo),
      dlqName: physicalName(stage, `${logical}-dlq`, q.fifo),
      attributes: { ...fifo, VisibilityTimeout: String(q.visibilityTimeoutSeconds) },
      dlqAttributes: { ...fifo, MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) },
      maxReceiveCount: q.maxReceiveCount,
    };
  });
}

/** Environment variable names every function receives (values are physical names and queue URLs). */
export function environmentKeys(topo: Topology = asTopology(defaultTopology)): string[] {
  return [
    "KUMULUS_STAGE",
    ...Object.keys(topo.tables).map((t) => tableEnvVar(t as TableName)),
    ...Object.keys(topo.queues).map((q) => queueEnvVar(q as QueueName)),
  ];
}

export interface FunctionDefinition {
  logical: string;
  name: string;
  /** Entry file relative to the repository root; it exports `handler`. */
  entry: string;
  memoryMB: number;
  timeoutSeconds: number;
  invokeMode?: "RESPONSE_STREAM" | "BUFFERED";
  environmentKeys: string[];
}

export function functionDefinitions(
  stage: string,
  topo: Topology = asTopology(defaultTopology),
): FunctionDefinition[] {
  return Object.entries(topo.functions).map(([logical, f]) => ({
    logical,
    name: functionName(stage, logical),
    entry: f.entry,
    memoryMB: f.memoryMB,
    timeoutSeconds: f.timeoutSeconds,
    ...(f.http ? { invokeMode: f.http.invokeMode } : {}),
    environmentKeys: environmentKeys(topo),
  }));
}

interface TriggerBase {
  /** Logical function name (a key of topology.functions). */
  function: string;
  /** Physical function name. */
  functionName: string;
  /** Logical source: a table, a queue, or the schedule expression. */
  source: string;
}

export type TriggerWiring =
  | (TriggerBase & {
      type: "stream";
      /** Physical table name whose stream feeds the function. */
      sourceName: string;
      batchSize: number;
      maxBatchingWindowSeconds: number;
      startingPosition: "TRIM_HORIZON" | "LATEST";
      bisectBatchOnError: boolean;
      retryAttempts: number;
      parallelizationFactor: number;
      reportBatchItemFailures: true;
      /** Physical name of the queue that receives batches that exhausted their retries. */
      onFailureQueue: string;
    })
  | (TriggerBase & {
      type: "sqs";
      /** Physical queue name. */
      sourceName: string;
      batchSize: number;
      maxConcurrency: number;
      reportBatchItemFailures: true;
    })
  | (TriggerBase & { type: "schedule"; scheduleExpression: string; rateMinutes: number });

/** EventBridge rate expression for a period in minutes. */
export function rateExpression(minutes: number): string {
  return `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`;
}

/** Every trigger of every function: what the local pollers emulate and what the event source mappings are. */
export function triggerWiring(
  stage = "local",
  topo: Topology = asTopology(defaultTopology),
): TriggerWiring[] {
  const out: TriggerWiring[] = [];
  for (const [fn, spec] of Object.entries(topo.functions)) {
    const base = { function: fn, functionName: functionName(stage, fn) };
    for (const t of spec.triggers) {
      if (t.type === "stream") {
        out.push({
          ...base,
          type: "stream",
          source: t.table,
          sourceName: physicalName(stage, t.table),
          batchSize: t.batchSize,
          maxBatchingWindowSeconds: t.maxBatchingWindowSeconds,
          startingPosition: t.startingPosition,
          bisectBatchOnError: t.bisectBatchOnError,
          retryAttempts: t.retryAttempts,
          parallelizationFactor: t.parallelizationFactor,
          reportBatchItemFailures: true,
          onFailureQueue: physicalName(stage, STREAM_FAILURES),
        });
      } else if (t.type === "sqs") {
        out.push({
          ...base,
          type: "sqs",
          source: t.queue,
          sourceName: physicalName(stage, t.queue, topo.queues[t.queue].fifo),
          batchSize: t.batchSize,
          maxConcurrency: t.maxConcurrency,
          reportBatchItemFailures: true,
        });
      } else {
        const expr = rateExpression(t.rateMinutes);
        out.push({
          ...base,
          type: "schedule",
          source: expr,
          scheduleExpression: expr,
          rateMinutes: t.rateMinutes,
        });
      }
    }
  }
  return out;
}
