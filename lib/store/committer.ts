import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import type { KubeObject } from "../api/types.ts";
import { encodeBody, MAX_INLINE_BYTES, splitChunks } from "./codec.ts";
import { blobPartitionKey } from "./keys.ts";

// Group commit, serialised per cluster (brief §2.3, the "no gaps" option).
//
// Every write of a cluster goes through one TransactWriteItems that also moves the cluster's revision counter
// from N to N+k, conditioned on it still being N. A revision number therefore exists if and only if its write
// committed: the watch log has no gaps for watchers to wait on or skip. To keep throughput up despite the
// serialisation, concurrent writes of one process are batched into one transaction (up to 25 objects); a write
// whose own condition fails is answered with a conflict and the rest of the batch is retried without it.

export type Expectation = { rv: number } | { absent: true };

export interface WriteOp {
  pk: string;
  sk: string;
  obj: KubeObject;
  expect: Expectation;
  /** A delete: the item stays as a tombstone until the stream router has logged the DELETED event. */
  tombstone?: boolean;
}

export interface CommitResult {
  rv: number;
  obj: KubeObject;
}

export class CommitConflictError extends Error {
  constructor(
    public readonly op: WriteOp,
    public readonly absentExpected: boolean,
  ) {
    super(absentExpected ? "already exists" : "resourceVersion conflict");
  }
}

/** The cluster's revision counter stayed contended for too long; the client should retry (HTTP 429/500). */
export class CommitBusyError extends Error {
  constructor(public override readonly cause: unknown) {
    super("too many concurrent writes to this cluster, please retry");
  }
}

export class ClusterNotFoundError extends Error {
  constructor(public readonly cluster: string) {
    super(`cluster "${cluster}" not found`);
  }
}

interface Pending {
  op: WriteOp;
  attempts: number;
  resolve: (r: CommitResult) => void;
  reject: (e: unknown) => void;
}

const MAX_OPS = 25;
const MAX_ATTEMPTS = 100;
const MAX_ITEMS = 100;
const MAX_TX_BYTES = 3_500_000;
/** Tombstones are removed by the stream router; the TTL only cleans up after a router that never ran. */
const TOMBSTONE_TTL_SECONDS = 24 * 3600;

export interface CommitterTables {
  objects: string;
  clusters: string;
  blobs: string;
}

export class ClusterCommitter {
  private queue: Pending[] = [];
  private running = false;
  private counter: number | undefined;
  /** Commits and attempts, for benchmarks and tests. */
  readonly stats = { transactions: 0, retries: 0, ops: 0, writeUnits: 0 };

  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tables: CommitterTables,
    private readonly cluster: string,
  ) {}

  submit(op: WriteOp): Promise<CommitResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject, attempts: 0 });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) await this.commitOnce();
    } finally {
      this.running = false;
    }
  }

  private pickBatch(): Pending[] {
    const batch: Pending[] = [];
    const keys = new Set<string>();
    const rest: Pending[] = [];
    for (const p of this.queue) {
      const key = `${p.op.pk}\n${p.op.sk}`;
      // DynamoDB refuses two operations on one item in a transaction; the later write waits a round.
      if (batch.length >= MAX_OPS || keys.has(key)) rest.push(p);
      else {
        keys.add(key);
        batch.push(p);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async readCounter(): Promise<number> {
    const out = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tables.clusters,
        Key: { pk: { S: this.cluster } },
        ConsistentRead: true,
        ProjectionExpression: "rv",
      }),
    );
    if (!out.Item) throw new ClusterNotFoundError(this.cluster);
    return Number(out.Item.rv?.N ?? "0");
  }

  private async commitOnce(): Promise<void> {
    let batch = this.pickBatch();
    try {
      if (this.counter === undefined) this.counter = await this.readCounter();
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    const base = this.counter;
    const items: TransactWriteItem[] = [];
    const owner: number[] = [];
    const results: CommitResult[] = [];
    let bytes = 0;
    const accepted: Pending[] = [];
    for (const p of batch) {
      const rv = base + accepted.length + 1;
      let built: { items: TransactWriteItem[]; size: number; obj: KubeObject };
      try {
        built = this.buildItems(p.op, rv);
      } catch (e) {
        p.reject(e);
        continue;
      }
      if (
        accepted.length > 0 &&
        (items.length + built.items.length + 1 > MAX_ITEMS || bytes + built.size > MAX_TX_BYTES)
      ) {
        this.queue.unshift(p);
        continue;
      }
      for (const it of built.items) {
        items.push(it);
        owner.push(accepted.length);
      }
      bytes += built.size;
      results.push({ rv, obj: built.obj });
      accepted.push(p);
    }
    batch = accepted;
    if (batch.length === 0) return;
    const top = base + batch.length;
    items.unshift({
      Update: {
        TableName: this.tables.clusters,
        Key: { pk: { S: this.cluster } },
        UpdateExpression: "SET rv = :top, updatedAt = :now",
        ConditionExpression: "rv = :base",
        ExpressionAttributeValues: {
          ":top": { N: String(top) },
          ":base": { N: String(base) },
          ":now": { N: String(Date.now()) },
        },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    });
    owner.unshift(-1);
    this.stats.transactions++;
    try {
      const out = await this.ddb.send(
        new TransactWriteItemsCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }),
      );
      for (const c of out.ConsumedCapacity ?? []) this.stats.writeUnits += c.CapacityUnits ?? 0;
      this.counter = top;
      this.stats.ops += batch.length;
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (e) {
      this.stats.retries++;
      this.handleFailure(e, batch, owner);
      // Jitter keeps competing writers (other processes or Lambda instances) from colliding in lockstep.
      await sleep(Math.random() * 10);
    }
  }

  private handleFailure(e: unknown, batch: Pending[], owner: number[]): void {
    const err = e as {
      name?: string;
      CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[];
    };
    if (err.name !== "TransactionCanceledException" || !err.CancellationReasons) {
      this.counter = undefined;
      const retryable = isRetryable(err.name);
      if (!retryable) {
        for (const p of batch) p.reject(e);
        return;
      }
      this.requeue(batch, e);
      return;
    }
    const reasons = err.CancellationReasons;
    const failed = new Set<number>();
    reasons.forEach((r, i) => {
      if (i > 0 && r.Code === "ConditionalCheckFailed") failed.add(owner[i]);
    });
    const counterReason = reasons[0];
    if (counterReason?.Code === "ConditionalCheckFailed") {
      if (!counterReason.Item) {
        for (const p of batch) p.reject(new ClusterNotFoundError(this.cluster));
        return;
      }
      this.counter = Number(counterReason.Item.rv?.N ?? "0");
    } else if (reasons.some((r) => r.Code && r.Code !== "None" && r.Code !== "ConditionalCheckFailed")) {
      // TransactionConflict and throttling: someone else touched an item mid-flight; retry from a fresh counter.
      this.counter = undefined;
    }
    const retry: Pending[] = [];
    batch.forEach((p, i) => {
      if (failed.has(i)) p.reject(new CommitConflictError(p.op, "absent" in p.op.expect));
      else retry.push(p);
    });
    this.requeue(retry, e);
  }

  private requeue(batch: Pending[], cause: unknown): void {
    const again: Pending[] = [];
    for (const p of batch) {
      if (++p.attempts >= MAX_ATTEMPTS) p.reject(new CommitBusyError(cause));
      else again.push(p);
    }
    this.queue.unshift(...again);
  }

  private buildItems(op: WriteOp, rv: number): { items: TransactWriteItem[]; size: number; obj: KubeObject } {
    const obj: KubeObject = { ...op.obj, metadata: { ...op.obj.metadata, resourceVersion: String(rv) } };
    const body = encodeBody(obj);
    const item: Record<string, AttributeValue> = {
      pk: { S: op.pk },
      sk: { S: op.sk },
      rv: { N: String(rv) },
    };
    const items: TransactWriteItem[] = [];
    if (body.length <= MAX_INLINE_BYTES) {
      item.body = { B: body };
    } else {
      const chunks = splitChunks(body);
      const bpk = blobPartitionKey(op.pk, op.sk, rv);
      chunks.forEach((c, i) => {
        items.push({
          Put: {
            TableName: this.tables.blobs,
            Item: { pk: { S: bpk }, sk: { N: String(i) }, data: { B: c } },
          },
        });
      });
      item.chunks = { N: String(chunks.length) };
      item.chunkRv = { N: String(rv) };
    }
    if (op.tombstone) {
      item.deleted = { BOOL: true };
      item.ttl = { N: String(Math.floor(Date.now() / 1000) + TOMBSTONE_TTL_SECONDS) };
    }
    const values: Record<string, AttributeValue> = {};
    let condition: string;
    if ("absent" in op.expect) {
      condition = "attribute_not_exists(pk) OR deleted = :t";
      values[":t"] = { BOOL: true };
    } else {
      condition = "rv = :expect AND attribute_not_exists(deleted)";
      values[":expect"] = { N: String(op.expect.rv) };
    }
    items.unshift({
      Put: {
        TableName: this.tables.objects,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      },
    });
    return { items, size: body.length + 200 * items.length, obj };
  }
}

function isRetryable(name: string | undefined): boolean {
  return (
    name === "TransactionConflictException" ||
    name === "ThrottlingException" ||
    name === "ProvisionedThroughputExceededException" ||
    name === "TransactionInProgressException" ||
    name === "InternalServerError" ||
    name === "RequestLimitExceeded"
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
