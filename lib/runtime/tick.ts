import { log } from "../log.ts";

/** Periodic jobs run by the tick function; the control-loop issue adds CronJobs and heartbeat checks. */
export const tickJobs: { name: string; run: () => Promise<void> }[] = [];

export async function runTick(): Promise<void> {
  for (const job of tickJobs) {
    try {
      await job.run();
    } catch (e) {
      log("error", "tick job failed", { job: job.name, error: String(e) });
    }
  }
}
