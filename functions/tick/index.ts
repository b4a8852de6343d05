import { runTick } from "../../lib/runtime/tick.ts";

// Invoked by a schedule (EventBridge in AWS, a timer locally) for time-based work.
export const handler = async (): Promise<void> => {
  await runTick();
};
