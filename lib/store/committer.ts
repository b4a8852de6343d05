import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import type { KubeObject } from "../api/types.ts";
import { claimItem, objectItems } from "./tx-items.ts";

// Group commit, serialised per cluster (brief §2.3, the "no gaps" option).
//
// Every write of a cluster goes through one TransactWriteItems that also moves the cluster's revision counter
// from N to N+k, conditioned on it still being N. A revision number therefore exists if and only if its write
// committed: the watch log has no gaps for watchers to wait on or skip. To keep throughput up despite the
// serialisation, concurrent writes of one process are batched into one transaction (up to 25 objects); a write
// whose own condition fails is answered with a conflict and the rest of the batch is retried without it.
//
// A write may carry companions that commit with it, all or nothing: other object writes (a ResourceQuota's
// usage with a pod create, as kube's quota admission does) and claims, uniqueness reservations kept in the
// blobs table (a Service's ClusterIP and NodePorts). Each companion write gets its own revision, so watchers
// see it. A companion whose condition fails fails its whole group (CompanionConflictError), nothing else.

export type Expectation = { rv: number } | { absent: true };

export interface WriteOp {
  pk: string;
  sk: string;
  obj: KubeObject;
  expect: Expectation;
  /** A delete: the item stays as a tombstone until the stream router has logged the DELETED event. */
  tombstone?: boolean;
  companions?: Companion[];
}

/** Another object written in the same transaction, with its own expectation and revision. */
export interface CompanionWrite {
  kind: "write";
  pk: string;
  sk: string;
  obj: KubeObject;
  expect: Expectation;
  /** Handed back in CompanionConflictError, for the caller to tell its companions apart. */
  tag?: unknown;
}

/**
 * A reservation of a unique value (blobs table, `pk` per cluster and value space, `sk` the value), held by an
 * object's uid. A claim succeeds when the value is free or already held by the same owner; a release deletes
 * it only when this owner holds it, and is dropped (not failed) when someone else does.
 */
export interface ClaimOp {
  kind: "claim" | "release";
  pk: string;
  sk: number;
  owner: string;
  /** Which object holds the claim, for people reading the table. */
  ref?: string;
  tag?: unknown;
}

export type Companion = CompanionWrite | ClaimOp;

export interface CommitResult {
  rv: number;
  obj: KubeObject;
  /** The committed companion writes, in order. */
  companions?: CommitResult[];
}

export class CommitConflictError extends Error {
  constructor(
    public readonly op: WriteOp,
    public readonly absentExpected: boolean,
  ) {
    super(absentExpected ? "already exists" : "resourceVersion conflict");
  }
}

/** A companion write or claim failed its condition; the write and its companions were not committed. */
export class CompanionConflictError extends Error {
  constructor(
    public readonly op: WriteOp,
    public readonly failed: Companion[],
  ) {
    super("a companion write or claim conflicts");
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

/** What one item of a transaction stands for: the counter, an op's own object, a chunk, or a companion. */
interface Role {
  op: number;
  /** -1: the op's object; -2: a body chunk (unconditioned); n >= 0: companion n. */
  part: number;
}

const commitListeners = new Set<() => void>();

/**
 * Calls `listener` after each transaction this process commits. The local stack's stream poller uses it to
 * read the stream at once instead of at its next idle poll; the stream stays the only source of events.
 */
export function onCommitted(listener: () => void): () => void {
  commitListeners.add(listener);
  return () => commitListeners.delete(listener);
}

const MAX_OPS = 25;
const MAX_ATTEMPTS = 100;
const MAX_ITEMS = 100;
const MAX_TX_BYTES = 3_500_000;

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
    let revisions = 0;
    for (const p of this.queue) {
      const own = itemKeys(p.op);
      const n = revisionsOf(p.op);
      // DynamoDB refuses two operations on one item in a transaction; the later write waits a round.
      if ((batch.length > 0 && revisions + n > MAX_OPS) || own.some((k) => keys.has(k))) rest.push(p);
      else {
        for (const k of own) keys.add(k);
        batch.push(p);
        revisions += n;
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
    const roles: Role[] = [];
    const results: CommitResult[] = [];
    let bytes = 0;
    let revisions = 0;
    const accepted: Pending[] = [];
    for (const p of batch) {
      let built: Built;
      try {
        built = this.buildGroup(p.op, base + revisions + 1);
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
      built.items.forEach((it, i) => {
        items.push(it);
        roles.push({ op: accepted.length, part: built.parts[i] });
      });
      bytes += built.size;
      revisions += built.revisions;
      results.push(built.result);
      accepted.push(p);
    }
    batch = accepted;
    if (batch.length === 0) return;
    const top = base + revisions;
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
    roles.unshift({ op: -1, part: -1 });
    this.stats.transactions++;
    try {
      const out = await this.ddb.send(
        new TransactWriteItemsCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }),
      );
      for (const c of out.ConsumedCapacity ?? []) this.stats.writeUnits += c.CapacityUnits ?? 0;
      this.counter = top;
      this.stats.ops += batch.length;
      batch.forEach((p, i) => p.resolve(results[i]));
      this.failDoomed(batch, results);
      for (const l of commitListeners) l();
    } catch (e) {
      this.stats.retries++;
      this.handleFailure(e, batch, roles);
      // Jitter keeps competing writers (other processes or Lambda instances) from colliding in lockstep.
      await sleep(Math.random() * 10);
    }
  }

  private handleFailure(e: unknown, batch: Pending[], roles: Role[]): void {
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
    const companions = new Map<number, Companion[]>();
    const releases = new Map<number, Companion[]>();
    reasons.forEach((r, i) => {
      if (i === 0 || r.Code !== "ConditionalCheckFailed") return;
      const { op, part } = roles[i];
      if (part < 0) {
        failed.add(op);
        return;
      }
      const c = batch[op].op.companions![part];
      const into = c.kind === "release" ? releases : companions;
      into.set(op, [...(into.get(op) ?? []), c]);
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
      const lost = companions.get(i);
      if (failed.has(i)) p.reject(new CommitConflictError(p.op, "absent" in p.op.expect));
      else if (lost) p.reject(new CompanionConflictError(p.op, lost));
      else {
        // A value someone else holds is not ours to release: go on without that release.
        const drop = releases.get(i);
        if (drop) p.op = { ...p.op, companions: p.op.companions!.filter((c) => !drop.includes(c)) };
        retry.push(p);
      }
    });
    this.requeue(retry, e);
  }

  /**
   * Queued writes whose companions expect what was just overwritten (a quota's old revision, a value another
   * owner just claimed) would only fail their own round trip: they fail now, so many writers contending for
   * one value or one quota are answered in one transaction rather than one each.
   */
  private failDoomed(committed: Pending[], results: CommitResult[]): void {
    if (!this.queue.some((p) => p.op.companions)) return;
    const revisions = new Map<string, number>();
    const owners = new Map<string, string>();
    committed.forEach((p, i) => {
      revisions.set(`${p.op.pk}\n${p.op.sk}`, results[i].rv);
      let n = 0;
      for (const c of p.op.companions ?? []) {
        if (c.kind === "write") revisions.set(`${c.pk}\n${c.sk}`, results[i].companions![n++].rv);
        else if (c.kind === "claim") owners.set(`${c.pk}\n${c.sk}`, c.owner);
      }
    });
    this.queue = this.queue.filter((p) => {
      const lost = (p.op.companions ?? []).filter((c) => {
        const key = `${c.pk}\n${c.sk}`;
        if (c.kind === "claim") return owners.has(key) && owners.get(key) !== c.owner;
        if (c.kind !== "write" || "absent" in c.expect) return false;
        const rv = revisions.get(key);
        return rv !== undefined && rv !== c.expect.rv;
      });
      if (lost.length === 0) return true;
      p.reject(new CompanionConflictError(p.op, lost));
      return false;
    });
  }

  private requeue(batch: Pending[], cause: unknown): void {
    const again: Pending[] = [];
    for (const p of batch) {
      if (++p.attempts >= MAX_ATTEMPTS) p.reject(new CommitBusyError(cause));
      else again.push(p);
    }
    this.queue.unshift(...again);
  }

  /** The items of one op and its companions, which take consecutive revisions from `rv`. */
  private buildGroup(op: WriteOp, rv: number): Built {
    const own = objectItems(this.tables, op.pk, op.sk, op.obj, op.expect, rv, op.tombstone);
    const items = own.items;
    const parts: number[] = items.map((_, i) => (i === 0 ? -1 : -2));
    let size = own.size;
    let next = rv + 1;
    const companions: CommitResult[] = [];
    (op.companions ?? []).forEach((c, n) => {
      if (c.kind === "write") {
        const b = objectItems(this.tables, c.pk, c.sk, c.obj, c.expect, next, false);
        companions.push({ rv: next++, obj: b.obj });
        b.items.forEach((it, i) => {
          items.push(it);
          parts.push(i === 0 ? n : -2);
        });
        size += b.size;
        return;
      }
      items.push(claimItem(this.tables, c));
      parts.push(n);
      size += 200;
    });
    const result: CommitResult = { rv, obj: own.obj };
    if (op.companions?.length) {
      const keys = itemKeys(op);
      if (new Set(keys).size !== keys.length)
        throw new Error("a write and its companions touch one item twice");
      if (items.length + 1 > MAX_ITEMS) throw new Error("a write and its companions exceed one transaction");
      result.companions = companions;
    }
    return { items, parts, size, revisions: next - rv, result };
  }
}

interface Built {
  items: TransactWriteItem[];
  /** Per item, what it is within the op (see Role.part). */
  parts: number[];
  size: number;
  revisions: number;
  result: CommitResult;
}

/** Objects take `o` keys and claims `c` keys: one op's keys must not meet another's in a transaction. */
function itemKeys(op: WriteOp): string[] {
  const keys = [`o\n${op.pk}\n${op.sk}`];
  for (const c of op.companions ?? []) keys.push(`${c.kind === "write" ? "o" : "c"}\n${c.pk}\n${c.sk}`);
  return keys;
}

function revisionsOf(op: WriteOp): number {
  let n = 1;
  for (const c of op.companions ?? []) if (c.kind === "write") n++;
  return n;
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
