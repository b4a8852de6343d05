import { type Enqueued, itemId, sendWorkItems, type WorkQueue } from "../runtime/queues.ts";
import type { Change } from "../watch/router.ts";
import { routeChange } from "./modules.ts";

// Turns stored changes into work items for every loop that asked for them, one per key and queue per batch.

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
