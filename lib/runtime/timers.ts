import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { log } from "../log.ts";
import { runtimeEnv } from "./env.ts";
import { type Enqueued, itemId, sendWorkItems, type WorkQueue } from "./queues.ts";
import type { WorkItem } from "./work.ts";

// Delayed work: "reconcile this key again in N seconds" (a readiness probe's initial delay, a container's run
// time, a CronJob's next schedule, a lease that may expire). The item waits on the standard `timers` queue
// (SQS delays a message by at most 15 minutes) and the tick function forwards it to its FIFO work queue when
// due, re-delaying what is still in the future. Nothing polls, so an idle cluster costs nothing.

const MAX_DELAY_SECONDS = 900;

interface Timer {
  queue: WorkQueue;
  item: WorkItem;
  group?: string;
  /** Epoch ms when the item is due. */
  due: number;
}

export interface Requeue {
  queue: WorkQueue;
  item: WorkItem;
  /** Message group on the work queue; defaults to the item's own key. */
  group?: string;
  afterSeconds: number;
}

/** Enqueue work items to run after a delay (immediately when the delay is ≤ 0). */
export async function requeueAfter(list: Requeue[]): Promise<void> {
  const now = Date.now();
  const timers = list.map<Timer>((r) => ({
    queue: r.queue,
    item: { cluster: r.item.cluster, controller: r.item.controller, key: r.item.key },
    group: r.group,
    due: now + Math.max(0, r.afterSeconds) * 1000,
  }));
  await schedule(timers, now);
}

async function schedule(timers: Timer[], now: number): Promise<void> {
  const due = timers.filter((t) => t.due <= now + 500);
  const later = timers.filter((t) => t.due > now + 500);
  const byQueue = new Map<WorkQueue, Enqueued[]>();
  for (const t of due) {
    const l = byQueue.get(t.queue) ?? [];
    l.push({ item: t.item, group: t.group ?? itemId(t.item) });
    byQueue.set(t.queue, l);
  }
  for (const [q, l] of byQueue) await sendWorkItems(q, l);
  if (later.length === 0) return;
  const env = runtimeEnv();
  const url = env.queues.timers;
  if (!url) throw new Error("queue timers has no URL configured");
  for (let i = 0; i < later.length; i += 10) {
    const entries = later.slice(i, i + 10).map((t, j) => ({
      Id: String(j),
      MessageBody: JSON.stringify(t),
      DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.ceil((t.due - now) / 1000)),
    }));
    const out = await env.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    if (out.Failed && out.Failed.length > 0)
      throw new Error(`SQS refused ${out.Failed.length} timers: ${out.Failed[0].Message}`);
  }
}

/** The tick function's SQS side: forward due timers, re-delay the rest. */
export async function forwardTimers(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  const now = Date.now();
  for (const rec of event.Records) {
    try {
      const t = JSON.parse(rec.body) as Timer;
      if (typeof t.queue !== "string" || typeof t.due !== "number" || typeof t.item?.key !== "string")
        throw new Error("a timer needs queue, due and item");
      await schedule([t], now);
    } catch (e) {
      log("warn", "timer failed", { messageId: rec.messageId, error: String(e) });
      failures.push({ itemIdentifier: rec.messageId });
    }
  }
  return { batchItemFailures: failures };
}
