import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { log } from "../lib/log.ts";

// Stands in for Lambda's DynamoDB Streams event source mapping: reads every shard in order (parents before
// children), hands the handler real DynamoDBStreamEvent batches, honours ReportBatchItemFailures by resuming
// at the first failed record, and checkpoints so a restart on the same data dir does not replay history.
// An empty poll waits 20 ms, doubling to Lambda's 250 ms: polling every 20 ms while idle cost the stack a
// sixth of a core (and DynamoDB Local as much). wake() ends the wait when this process has just committed.

const MIN_IDLE_MS = 20;
const MAX_IDLE_MS = 250;

export interface StreamPollerOptions {
  streamArn: string;
  batchSize: number;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
  checkpointFile?: string;
  region?: string;
}

interface ShardState {
  shard: Shard;
  iterator?: string;
  done: boolean;
  last?: string;
}

export class StreamPoller {
  private shards = new Map<string, ShardState>();
  private stopped = false;
  private loop?: Promise<void>;
  private checkpoints: Record<string, string> = {};
  /** Records handed to the handler, for tests and benchmarks. */
  delivered = 0;
  private idleMs = MIN_IDLE_MS;
  private woken?: () => void;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly opts: StreamPollerOptions,
  ) {
    if (opts.checkpointFile && existsSync(opts.checkpointFile)) {
      try {
        this.checkpoints = JSON.parse(readFileSync(opts.checkpointFile, "utf8"));
      } catch {
        this.checkpoints = {};
      }
    }
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  /** Polls now rather than at the end of the current idle wait: a write was just committed. */
  wake(): void {
    this.idleMs = MIN_IDLE_MS;
    this.woken?.();
  }

  private idle(): Promise<void> {
    const ms = this.idleMs;
    this.idleMs = Math.min(MAX_IDLE_MS, this.idleMs * 2);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.woken = done;
    }).finally(() => {
      this.woken = undefined;
    });
  }

  private async refreshShards(): Promise<void> {
    let start: string | undefined;
    do {
      const out = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.opts.streamArn, ExclusiveStartShardId: start }),
      );
      for (const shard of out.StreamDescription?.Shards ?? []) {
        if (!this.shards.has(shard.ShardId!))
          this.shards.set(shard.ShardId!, { shard, done: false, last: this.checkpoints[shard.ShardId!] });
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  private async run(): Promise<void> {
    let lastRefresh = 0;
    while (!this.stopped) {
      try {
        if (Date.now() - lastRefresh > 2_000) {
          await this.refreshShards();
          lastRefresh = Date.now();
        }
        let got = 0;
        for (const st of this.shards.values()) {
          if (st.done || this.stopped) continue;
          const parent = st.shard.ParentShardId ? this.shards.get(st.shard.ParentShardId) : undefined;
          if (parent && !parent.done) continue;
          got += await this.pollShard(st);
        }
        if (got === 0) await this.idle();
        else this.idleMs = MIN_IDLE_MS;
      } catch (e) {
        if (this.stopped) break;
        log("warn", "stream poller error", { error: String(e) });
        await sleep(500);
      }
    }
  }

  private async iterator(st: ShardState): Promise<string | undefined> {
    if (st.iterator) return st.iterator;
    const out = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.opts.streamArn,
        ShardId: st.shard.ShardId,
        ShardIteratorType: st.last ? "AFTER_SEQUENCE_NUMBER" : "TRIM_HORIZON",
        SequenceNumber: st.last,
      }),
    );
    st.iterator = out.ShardIterator;
    return st.iterator;
  }

  private async pollShard(st: ShardState): Promise<number> {
    const it = await this.iterator(st);
    if (!it) {
      st.done = true;
      return 0;
    }
    let out: GetRecordsCommandOutput;
    try {
      out = await this.client.send(new GetRecordsCommand({ ShardIterator: it, Limit: this.opts.batchSize }));
    } catch (e) {
      if (
        (e as Error).name === "ExpiredIteratorException" ||
        (e as Error).name === "TrimmedDataAccessException"
      ) {
        st.iterator = undefined;
        return 0;
      }
      throw e;
    }
    const records = out.Records ?? [];
    if (records.length > 0) {
      const event: DynamoDBStreamEvent = {
        Records: records.map((r) => toLambdaRecord(r, this.opts.streamArn, this.opts.region)),
      };
      const res = await this.opts.handler(event);
      const failed = res?.batchItemFailures?.[0]?.itemIdentifier;
      if (failed !== undefined) {
        // Resume at the failed record: everything before it succeeded.
        const idx = records.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
        const ok = idx > 0 ? records[idx - 1].dynamodb?.SequenceNumber : st.last;
        st.last = ok;
        st.iterator = undefined;
        this.checkpoint(st);
        await sleep(200);
        return 0;
      }
      this.delivered += records.length;
      st.last = records[records.length - 1].dynamodb?.SequenceNumber;
      this.checkpoint(st);
    }
    st.iterator = out.NextShardIterator;
    if (!st.iterator) st.done = true;
    return records.length;
  }

  private checkpoint(st: ShardState): void {
    if (!st.last) return;
    this.checkpoints[st.shard.ShardId!] = st.last;
    if (this.opts.checkpointFile) writeFileSync(this.opts.checkpointFile, JSON.stringify(this.checkpoints));
  }
}

function toLambdaImage(img: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!img) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(img)) {
    const a = v as Record<string, unknown>;
    out[k] = a.B instanceof Uint8Array ? { B: Buffer.from(a.B).toString("base64") } : a;
  }
  return out;
}

/** The exact record shape Lambda delivers (binary attributes base64-encoded). */
function toLambdaRecord(r: StreamRecord, arn: string, region = "us-east-1"): DynamoDBRecord {
  const d = r.dynamodb!;
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord["eventName"],
    eventVersion: r.eventVersion ?? "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: r.awsRegion ?? region,
    eventSourceARN: arn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime
        ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: toLambdaImage(d.Keys as Record<string, unknown>) as never,
      NewImage: toLambdaImage(d.NewImage as Record<string, unknown>) as never,
      OldImage: toLambdaImage(d.OldImage as Record<string, unknown>) as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as "NEW_AND_OLD_IMAGES",
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
