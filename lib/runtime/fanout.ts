import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { QueueName } from "../topology.ts";
import type { Change } from "../watch/router.ts";
import { runtimeEnv } from "./env.ts";
import type { WorkItem } from "./work.ts";

// Which controllers care about which changes. Each route maps one change to work items on one queue; the
// FIFO message group is the work item's key, so a key is never reconciled concurrently with itself.
export type Route = (change: Change) => { queue: QueueName; item: WorkItem }[];

export const routes: Route[] = [];

export async function fanOut(changes: Change[]): Promise<void> {
  const byQueue = new Map<QueueName, WorkItem[]>();
  for (const ch of changes) {
    for (const r of routes) {
      for (const { queue, item } of r(ch)) {
        const list = byQueue.get(queue) ?? [];
        list.push(item);
        byQueue.set(queue, list);
      }
    }
  }
  if (byQueue.size === 0) return;
  const env = runtimeEnv();
  for (const [queue, items] of byQueue) {
    const url = env.queues[queue];
    if (!url) throw new Error(`queue ${queue} has no URL configured`);
    // Several changes to one key in a batch need reconciling once: the reconcile reads current state.
    const unique = [...new Map(items.map((i) => [`${i.cluster}|${i.controller}|${i.key}`, i])).values()];
    for (let i = 0; i < unique.length; i += 10) {
      const entries = unique.slice(i, i + 10).map((item, j) => {
        const group = `${item.cluster}|${item.controller}|${item.key}`;
        return {
          Id: String(j),
          MessageBody: JSON.stringify(item),
          MessageGroupId: group.slice(0, 128),
          MessageDeduplicationId: `${group}|${Date.now()}`.replace(/[^\w\-.|]/g, "_").slice(0, 128),
        };
      });
      const out = await env.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      if (out.Failed && out.Failed.length > 0) throw new Error(`SQS refused ${out.Failed.length} work items`);
    }
  }
}
