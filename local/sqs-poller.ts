import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { log } from "../lib/log.ts";

// Stands in for Lambda's SQS event source mapping: long-polls, hands the handler a real SQSEvent, deletes
// what succeeded and leaves reported failures to reappear after the visibility timeout (and reach the DLQ
// after maxReceiveCount, through the queue's redrive policy).

export interface SqsPollerOptions {
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  maxConcurrency: number;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  region?: string;
}

export class SqsPoller {
  private stopped = false;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  // One receiver long-polls as long as SQS allows (20 s, as Lambda's pollers do) and hands each batch to the
  // handler without waiting for it, up to maxConcurrency batches at once. Several receivers each waiting on
  // the queue were all woken by every message, and all but one came back empty to poll again.
  private readonly abort = new AbortController();

  constructor(
    private readonly sqs: SQSClient,
    private readonly opts: SqsPollerOptions,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.inFlight.size >= this.opts.maxConcurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      try {
        const out = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.opts.queueUrl,
            MaxNumberOfMessages: Math.min(10, this.opts.batchSize),
            WaitTimeSeconds: 20,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: this.abort.signal },
        );
        const msgs = out.Messages ?? [];
        if (msgs.length === 0 || this.stopped) continue;
        const batch = this.handle(msgs).finally(() => this.inFlight.delete(batch));
        this.inFlight.add(batch);
      } catch (e) {
        if (this.stopped) break;
        log("warn", "sqs poller error", { queue: this.opts.queueArn, error: String(e) });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Runs the handler on one batch, deletes what succeeded and leaves failures to come back. */
  private async handle(msgs: Message[]): Promise<void> {
    const records: SQSRecord[] = msgs.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? "",
      attributes: (m.Attributes ?? {}) as unknown as SQSRecord["attributes"],
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: this.opts.queueArn,
      awsRegion: this.opts.region ?? "us-east-1",
    }));
    let failed = new Set<string>();
    try {
      const res = await this.opts.handler({ Records: records });
      failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (e) {
      log("warn", "sqs handler threw; the whole batch will be retried", {
        queue: this.opts.queueArn,
        error: String(e),
      });
      failed = new Set(records.map((r) => r.messageId));
    }
    const done = msgs.filter((m) => !failed.has(m.MessageId!));
    if (done.length === 0) return;
    try {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.opts.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    } catch (e) {
      // Not deleted: the messages come back after their visibility timeout, and handlers are idempotent.
      log("warn", "sqs poller error", { queue: this.opts.queueArn, error: String(e) });
    }
  }
}
