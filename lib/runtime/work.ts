import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { log } from "../log.ts";

// A work item names a key, never a change: reconcilers read the current state (level-triggered), so a
// redelivered or duplicated item is harmless (brief §2.4).
export interface WorkItem {
  cluster: string;
  controller: string;
  key: string;
  /** When the work item was enqueued (ms); lets a reconciler skip items an already-started pass covers. */
  at?: number;
}

export type Reconciler = (item: WorkItem) => Promise<void>;

/** Reconcilers by queue and controller name; the control-loop issue registers them. */
export const reconcilers: Record<string, Record<string, Reconciler>> = {
  controllers: {},
  scheduler: {},
  kubelet: {},
};

export function parseWorkItem(body: string): WorkItem {
  const v = JSON.parse(body) as WorkItem;
  if (typeof v.cluster !== "string" || typeof v.controller !== "string" || typeof v.key !== "string") {
    throw new Error("a work item needs string cluster, controller and key");
  }
  return v;
}

export async function runWorkItems(queue: string, event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const rec of event.Records) {
    try {
      const item = parseWorkItem(rec.body);
      const reconcile = reconcilers[queue]?.[item.controller];
      if (!reconcile) throw new Error(`no reconciler "${item.controller}" on queue ${queue}`);
      // A conflict means another writer won a race; the reconcile reads fresh state, so run it again now
      // rather than after the queue's visibility timeout.
      for (let attempt = 0; ; attempt++) {
        try {
          await reconcile(item);
          break;
        } catch (e) {
          if (attempt < 4 && (e as { code?: number }).code === 409) continue;
          throw e;
        }
      }
    } catch (e) {
      log("warn", "work item failed", { queue, messageId: rec.messageId, error: String(e) });
      failures.push({ itemIdentifier: rec.messageId });
    }
  }
  return { batchItemFailures: failures };
}
