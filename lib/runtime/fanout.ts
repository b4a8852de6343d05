import { randomUUID } from "node:crypto";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { routeChange } from "../controllers/routes.ts";
import type { QueueName } from "../topology.ts";
import type { Change } from "../watch/router.ts";
import { runtimeEnv } from "./env.ts";
import type { WorkItem } from "./work.ts";

// Turns routed changes into SQS work items. The FIFO message group is the work item's key (or a wider group
// a route asks for), so a key is never reconciled concurrently with itself.

export type WorkQueue = Exclude<QueueName, "timers">;

export interface Enqueued {
  item: WorkItem;
  group: string;
}

export function itemId(item: WorkItem): string {
  return `${item.cluster}|${item.controller}|${item.key}`;
}

export async function fanOut(changes: Change[]): Promise<void> {
  const byQueue = new Map<WorkQueue, Map<string, Enqueued>>();
  for (const ch of changes) {
    for (const { queue, item, group } of routeChange(ch)) {
      const id = itemId(item);
      const m = byQueue.get(queue) ?? new Map();
      // Several changes to one key in a batch need reconciling once: the reconcile reads current state.
      m.set(id, { item, group: group ?? id });
      byQueue.set(queue, m);
    }
  }
  for (const [queue, items] of byQueue) await sendWorkItems(queue, [...items.values()]);
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
