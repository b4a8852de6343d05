import { randomUUID } from "node:crypto";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { QueueName } from "../topology.ts";
import { runtimeEnv } from "./env.ts";
import type { WorkItem } from "./work.ts";

// Work items on the SQS work queues. The FIFO message group is the work item's key (or a wider group a
// route asks for), so a key is never reconciled concurrently with itself.

export type WorkQueue = Exclude<QueueName, "timers">;

export interface Enqueued {
  item: WorkItem;
  group: string;
}

export function itemId(item: WorkItem): string {
  return `${item.cluster}|${item.controller}|${item.key}`;
}

/** Puts work items on a FIFO work queue, ten per request. */
export async function sendWorkItems(queue: WorkQueue, list: Enqueued[]): Promise<void> {
  if (list.length === 0) return;
  const env = runtimeEnv();
  const url = env.queues[queue];
  if (!url) throw new Error(`queue ${queue} has no URL configured`);
  for (let i = 0; i < list.length; i += 10) {
    const entries = list.slice(i, i + 10).map(({ item, group }, j) => ({
      Id: String(j),
      MessageBody: JSON.stringify({ ...item, at: Date.now() }),
      MessageGroupId: group.replace(/[^\w!-/:-@[-`{-~]/g, "_").slice(0, 128),
      MessageDeduplicationId: randomUUID(),
    }));
    const out = await env.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    if (out.Failed && out.Failed.length > 0)
      throw new Error(`SQS refused ${out.Failed.length} work items: ${out.Failed[0].Message}`);
  }
}
