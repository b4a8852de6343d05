// The one description of Kumulus' infrastructure. The CDK app (cdk/) and the local runtime (local/) both read
// this module, so tables, queues, functions and triggers cannot drift between AWS and `npm start`.

export type AttrType = "S" | "N" | "B";

export interface TableSpec {
  partitionKey: { name: string; type: AttrType };
  sortKey?: { name: string; type: AttrType };
  stream?: "NEW_AND_OLD_IMAGES";
  ttlAttribute?: string;
  purpose: string;
}

export interface QueueSpec {
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the queue's DLQ. */
  maxReceiveCount: number;
  purpose: string;
}

export type Trigger =
  | {
      type: "stream";
      table: keyof typeof tables;
      batchSize: number;
      maxBatchingWindowSeconds: number;
      startingPosition: "TRIM_HORIZON" | "LATEST";
      bisectBatchOnError: boolean;
      retryAttempts: number;
      parallelizationFactor: number;
    }
  | { type: "sqs"; queue: keyof typeof queues; batchSize: number; maxConcurrency: number }
  | { type: "schedule"; rateMinutes: number };

export interface FunctionSpec {
  /** Entry file, relative to the repository root; it exports `handler`. */
  entry: string;
  memoryMB: number;
  timeoutSeconds: number;
  /** Served over HTTP (a Lambda function URL locally mirrored by the local HTTP server). */
  http?: { invokeMode: "RESPONSE_STREAM" | "BUFFERED" };
  triggers: Trigger[];
  /** Tables this function reads or writes (least-privilege grants are derived from these). */
  tables: { name: keyof typeof tables; access: "read" | "readwrite" }[];
  /** Queues this function sends to. */
  sendsTo: (keyof typeof queues)[];
  purpose: string;
}

export const tables = {
  objects: {
    partitionKey: { name: "pk", type: "S" },
    sortKey: { name: "sk", type: "S" },
    stream: "NEW_AND_OLD_IMAGES",
    purpose: "Kubernetes objects: pk = cluster/group/resource, sk = namespace/name",
  },
  clusters: {
    partitionKey: { name: "pk", type: "S" },
    purpose: "Cluster registry and each cluster's resourceVersion counter",
  },
  watchlog: {
    partitionKey: { name: "pk", type: "S" },
    sortKey: { name: "sk", type: "N" },
    ttlAttribute: "ttl",
    purpose: "Per-cluster event history ordered by resourceVersion (the etcd history)",
  },
  identity: {
    partitionKey: { name: "pk", type: "S" },
    sortKey: { name: "sk", type: "S" },
    purpose:
      "The account's IAM: users, roles, access keys, sessions and policies; each cluster's signing keys",
  },
  blobs: {
    partitionKey: { name: "pk", type: "S" },
    sortKey: { name: "sk", type: "N" },
    ttlAttribute: "ttl",
    purpose: "Chunks of objects too large for one DynamoDB item",
  },
  capacity: {
    partitionKey: { name: "pk", type: "S" },
    sortKey: { name: "sk", type: "S" },
    purpose:
      "Simulated EC2 and Fargate capacity: pk = cluster, sk = instance id (i-…), plus each cluster's address leases and counters and its unavailable offerings",
  },
} as const satisfies Record<string, TableSpec>;

export const queues = {
  controllers: {
    fifo: true,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    purpose: "Work items {cluster, controller, key} for the controller manager",
  },
  scheduler: {
    fifo: true,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    purpose: "Pending pods to schedule",
  },
  kubelet: {
    fifo: true,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    purpose: "Pods and nodes the simulated kubelets drive",
  },
  timers: {
    // Standard, not FIFO: only standard queues delay single messages (DelaySeconds), and the forwarder
    // puts each item back on its FIFO work queue, which restores per-key ordering.
    fifo: false,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    purpose: "Delayed work items (requeue after a duration): probe timings, run durations, schedules",
  },
} as const satisfies Record<string, QueueSpec>;

/** The tables of the Kubernetes API and IAM, which every function uses: all but `capacity`. */
const allTables = (access: "read" | "readwrite") =>
  (Object.keys(tables) as (keyof typeof tables)[])
    .filter((name) => name !== "capacity")
    .map((name) => ({ name, access }));
/** Simulated instances: for the functions that launch, interrupt, terminate or price them (the EKS API in the
 * apiserver function, the controllers, the tick's sweeps). */
const capacityTable = { name: "capacity", access: "readwrite" } as const;
const workQueues = Object.keys(queues) as (keyof typeof queues)[];

export const functions = {
  apiserver: {
    entry: "functions/apiserver/index.ts",
    memoryMB: 1024,
    timeoutSeconds: 900,
    http: { invokeMode: "RESPONSE_STREAM" },
    triggers: [],
    tables: [...allTables("readwrite"), capacityTable],
    // Node-group rollouts and deletes are handed to the controllers queue (directly or after a delay).
    sendsTo: ["controllers", "timers"],
    purpose: "Kubernetes REST API (Hono), watches streamed from the watch log",
  },
  "stream-router": {
    entry: "functions/stream-router/index.ts",
    memoryMB: 512,
    timeoutSeconds: 60,
    triggers: [
      {
        type: "stream",
        table: "objects",
        batchSize: 100,
        maxBatchingWindowSeconds: 0,
        startingPosition: "TRIM_HORIZON",
        bisectBatchOnError: true,
        retryAttempts: 20,
        parallelizationFactor: 1,
      },
    ],
    tables: allTables("readwrite"),
    sendsTo: workQueues,
    purpose: "Objects stream → watch log, and work items to the SQS queues",
  },
  controllers: {
    entry: "functions/controllers/index.ts",
    memoryMB: 512,
    timeoutSeconds: 30,
    triggers: [{ type: "sqs", queue: "controllers", batchSize: 10, maxConcurrency: 10 }],
    tables: [...allTables("readwrite"), capacityTable],
    sendsTo: workQueues,
    purpose: "Reconciles work items with level-triggered controllers",
  },
  scheduler: {
    entry: "functions/scheduler/index.ts",
    memoryMB: 512,
    timeoutSeconds: 30,
    triggers: [{ type: "sqs", queue: "scheduler", batchSize: 10, maxConcurrency: 5 }],
    tables: allTables("readwrite"),
    sendsTo: workQueues,
    purpose: "Binds pending pods to nodes",
  },
  kubelet: {
    entry: "functions/kubelet/index.ts",
    memoryMB: 512,
    timeoutSeconds: 30,
    triggers: [{ type: "sqs", queue: "kubelet", batchSize: 10, maxConcurrency: 10 }],
    tables: allTables("readwrite"),
    sendsTo: workQueues,
    purpose: "Simulated kubelets: node heartbeats and pod lifecycles",
  },
  tick: {
    entry: "functions/tick/index.ts",
    memoryMB: 256,
    timeoutSeconds: 60,
    triggers: [
      { type: "schedule", rateMinutes: 1 },
      { type: "sqs", queue: "timers", batchSize: 10, maxConcurrency: 2 },
    ],
    tables: [...allTables("readwrite"), capacityTable],
    sendsTo: workQueues,
    purpose: "Periodic time-based work (heartbeats, sweeps) and forwarding of due delayed work items",
  },
} as const satisfies Record<string, FunctionSpec>;

export type TableName = keyof typeof tables;
export type QueueName = keyof typeof queues;
export type FunctionName = keyof typeof functions;

/** Environment variable that carries a table's physical name into a function. */
export function tableEnvVar(name: TableName): string {
  return `KUMULUS_TABLE_${name.toUpperCase()}`;
}

/** Environment variable that carries a queue's URL into a function. */
export function queueEnvVar(name: QueueName): string {
  return `KUMULUS_QUEUE_${name.toUpperCase()}_URL`;
}

/** Physical resource name for a logical one, e.g. `kumulus-local-objects` (FIFO queues get `.fifo`). */
export function physicalName(stage: string, logical: string, fifo = false): string {
  return `kumulus-${stage}-${logical}${fifo ? ".fifo" : ""}`;
}

export const topology = { tables, queues, functions };
