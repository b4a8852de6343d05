import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { functions, physicalName, type QueueName, queues, type TableName, tables } from "./topology.ts";

// Plain-data wiring derived from lib/topology.ts. The local runtime creates its tables and queues from these
// inputs and starts its pollers from the trigger list; the infra tests compare the CDK template with the same
// data, so local and AWS cannot drift.

export function createTableInputs(stage: string): Record<TableName, CreateTableCommandInput> {
  const out = {} as Record<TableName, CreateTableCommandInput>;
  for (const [logical, t] of Object.entries(tables) as [TableName, (typeof tables)[TableName]][]) {
    const keys = [t.partitionKey, ...("sortKey" in t ? [t.sortKey] : [])];
    out[logical] = {
      TableName: physicalName(stage, logical),
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
      KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? "HASH" : "RANGE" })),
      ...("stream" in t ? { StreamSpecification: { StreamEnabled: true, StreamViewType: t.stream } } : {}),
    };
  }
  return out;
}

export interface QueueDefinition {
  logical: QueueName;
  name: string;
  dlqName: string;
  attributes: Record<string, string>;
  dlqAttributes: Record<string, string>;
  maxReceiveCount: number;
}

export function queueDefinitions(stage: string): QueueDefinition[] {
  return (Object.entries(queues) as [QueueName, (typeof queues)[QueueName]][]).map(([logical, q]) => {
    const fifo: Record<string, string> = q.fifo
      ? { FifoQueue: "true", ContentBasedDeduplication: "false" }
      : {};
    return {
      logical,
      name: physicalName(stage, logical, q.fifo),
      dlqName: physicalName(stage, `${logical}-dlq`, q.fifo),
      attributes: { ...fifo, VisibilityTimeout: String(q.visibilityTimeoutSeconds) },
      dlqAttributes: { ...fifo, MessageRetentionPeriod: String(14 * 24 * 3600) },
      maxReceiveCount: q.maxReceiveCount,
    };
  });
}

export interface TriggerWiring {
  function: string;
  type: "stream" | "sqs" | "schedule";
  source: string;
  batchSize?: number;
  settings: Record<string, unknown>;
}

export function triggerWiring(): TriggerWiring[] {
  const out: TriggerWiring[] = [];
  for (const [name, fn] of Object.entries(functions)) {
    for (const t of fn.triggers as readonly Record<string, unknown>[]) {
      const { type, ...settings } = t as { type: "stream" | "sqs" | "schedule" } & Record<string, unknown>;
      const source =
        type === "stream"
          ? String(settings.table)
          : type === "sqs"
            ? String(settings.queue)
            : `rate(${settings.rateMinutes} minutes)`;
      out.push({
        function: name,
        type,
        source,
        batchSize: settings.batchSize as number | undefined,
        settings,
      });
    }
  }
  return out;
}
