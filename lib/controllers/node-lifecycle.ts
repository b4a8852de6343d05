import type { ControllerModule } from "./module.ts";

// Node lifecycle: Lease heartbeats, NotReady and its taints. (Not built yet.)
export const nodeLifecycleController: ControllerModule = { name: "node-lifecycle" };
