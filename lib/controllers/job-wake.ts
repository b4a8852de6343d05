import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";

// Time-based wake-ups for the Job, CronJob and StatefulSet controllers, de-duplicated per process. Every reconcile asks
// for a wake at the same instant (the next schedule, a deadline); without this each change to a CronJob's
// Jobs would add one more timer, and every timer that fires would add another for the next activation, so
// the timers for a CronJob would grow without bound. A timer already asked for by this process for the same
// key and second is not asked for again; another process asking again only costs a no-op reconcile.

const pending = new Map<string, number>();

/** Reconcile `item` again at `dueMs` (epoch ms), unless this process already asked for exactly that. */
export async function wakeAt(item: WorkItem, dueMs: number): Promise<void> {
  const nowMs = Date.now();
  const dueSecond = Math.ceil(dueMs / 1000);
  const id = `${item.cluster}|${item.controller}|${item.key}`;
  // Near the due time always ask: a timer that fired a little early must be able to ask for itself again.
  if (pending.get(id) === dueSecond && dueSecond * 1000 - nowMs > 3000) return;
  for (const [k, due] of pending) if (due * 1000 < nowMs) pending.delete(k);
  await requeueAfter([
    {
      queue: "controllers",
      item: { cluster: item.cluster, controller: item.controller, key: item.key },
      afterSeconds: Math.max(1, dueSecond - Math.floor(nowMs / 1000)),
    },
  ]);
  pending.set(id, dueSecond);
}
