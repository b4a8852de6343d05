import type { ControllerModule } from "./module.ts";

// Job: completions, parallelism, backoffLimit, deadlines, TTL. (Not built yet.)
export const jobController: ControllerModule = { name: "job" };
