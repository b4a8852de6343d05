import { log } from "../log.ts";

import { sweepWatchLog } from "../watch/sweep.ts";
import { defaultStore } from "./store.ts";

/** Periodic jobs run by the tick function; CronJobs and heartbeat checks join this list. */
export const tickJobs: { name: string; run: () => Promise<void> }[] = [
  {
    name: "watch-log-sweep",
    run: async () => {
      const store = defaultStore();
      for (const c of await store.listClusters()) await sweepWatchLog(store, c.name);
    },
  },
];

export async function runTick(): Promise<void> {
  for (const job of tickJobs) {
    try {
      await job.run();
    } catch (e) {
      log("error", "tick job failed", { job: job.name, error: String(e) });
    }
  }
}
