import { ChangeMessageVisibilityCommand } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { log } from "../log.ts";
import type { QueueName } from "../topology.ts";
import { runtimeEnv } from "./env.ts";
import { defaultStore } from "./store.ts";

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

/** When this process last started reconciling each key. */
const lastStart = new Map<string, number>();

/**
 * True when a reconcile of the same key started after this item was enqueued: that reconcile read state at
 * least as new as the change behind the item, so running again would repeat it. Under load this collapses
 * the many items one busy key receives (a ReplicaSet with a thousand pods changing) into a few reconciles.
 */
function covered(item: WorkItem): boolean {
  const id = `${item.cluster}|${item.controller}|${item.key}`;
  const started = lastStart.get(id);
  if (item.at !== undefined && started !== undefined && started > item.at) return true;
  lastStart.set(id, Date.now());
  if (lastStart.size > 100_000) lastStart.clear();
  return false;
}

/**
 * Runs a batch. Records of one message group run in order; different groups (different keys) run
 * concurrently, as their order never mattered to SQS either, and their writes then share group commits.
 */
export async function runWorkItems(queue: string, event: SQSEvent): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const rec of event.Records) {
    // Without a group id (not a FIFO record) the batch keeps its order.
    const g = (rec.attributes as { MessageGroupId?: string } | undefined)?.MessageGroupId ?? "";
    const l = groups.get(g) ?? [];
    l.push(rec);
    groups.set(g, l);
  }
  const failed = new Set<string>();
  await Promise.all(
    [...groups.values()].map(async (recs) => {
      for (const rec of recs) if (!(await runRecord(queue, rec))) failed.add(rec.messageId);
    }),
  );
  // Reported in the batch's order.
  return {
    batchItemFailures: event.Records.filter((r) => failed.has(r.messageId)).map((r) => ({
      itemIdentifier: r.messageId,
    })),
  };
}

/** Runs one record; false when it failed (it is then redelivered after a back-off). */
async function runRecord(queue: string, rec: SQSRecord): Promise<boolean> {
  try {
    const item = parseWorkItem(rec.body);
    const reconcile = reconcilers[queue]?.[item.controller];
    if (!reconcile) throw new Error(`no reconciler "${item.controller}" on queue ${queue}`);
    if (covered(item)) return true;
    // A conflict means another writer won a race; the reconcile reads fresh state, so run it again now
    // rather than after the queue's visibility timeout.
    for (let attempt = 0; ; attempt++) {
      try {
        await reconcile(item);
        return true;
      } catch (e) {
        if (attempt < 4 && (e as { code?: number }).code === 409) continue;
        throw e;
      }
    }
  } catch (e) {
    // A failed reconcile covers nothing: its redelivery (and later items) must run.
    let item: WorkItem | undefined;
    try {
      item = parseWorkItem(rec.body);
      lastStart.delete(`${item.cluster}|${item.controller}|${item.key}`);
    } catch {
      // unparseable: it goes to the DLQ anyway
    }
    // Work for a cluster deleted meanwhile has nothing left to act on: retrying it would only fail again.
    if (item && !(await clusterExists(item.cluster))) {
      log("debug", "work item dropped: its cluster is gone", { queue, cluster: item.cluster, key: item.key });
      return true;
    }
    const delay = await backOff(queue, rec);
    log("warn", "work item failed", {
      queue,
      messageId: rec.messageId,
      receives: rec.attributes?.ApproximateReceiveCount,
      retryInSeconds: delay,
      error: String(e),
    });
    return false;
  }
}

async function clusterExists(cluster: string): Promise<boolean> {
  try {
    return (await defaultStore().getCluster(cluster)) !== undefined;
  } catch {
    return true; // cannot tell: keep the item
  }
}

/**
 * A failed item comes back after an exponential back-off (1, 2, 4 ... 60 s by receive count) instead of the
 * queue's whole visibility timeout; after maxReceiveCount receives SQS moves it to the DLQ.
 */
async function backOff(queue: string, rec: SQSRecord): Promise<number | undefined> {
  const receives = Number(rec.attributes?.ApproximateReceiveCount ?? 1) || 1;
  const seconds = Math.min(60, 2 ** (receives - 1));
  const url = runtimeEnv().queues[queue as QueueName];
  if (!url || !rec.receiptHandle) return undefined;
  try {
    await runtimeEnv().sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: rec.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
    return seconds;
  } catch {
    return undefined; // the queue's visibility timeout applies instead
  }
}
