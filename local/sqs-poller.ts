import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
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
  private loops: Promise<void>[] = [];
  // Long polls last as long as SQS allows (as Lambda's pollers do), so an idle queue costs a request per
  // loop every 20 s rather than every second; stop() aborts the waiting polls.
  private readonly abort = new AbortController();

  constructor(
    private readonly sqs: SQSClient,
    private readonly opts: SqsPollerOptions,
  ) {}

  start(): void {
    for (let i = 0; i < this.opts.maxConcurrency; i++) this.loops.push(this.run());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
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
        if (done.length > 0) {
          await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.opts.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      } catch (e) {
        if (this.stopped) break;
        log("warn", "sqs poller error", { queue: this.opts.queueArn, error: String(e) });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
