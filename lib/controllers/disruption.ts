import type { ControllerModule } from "./module.ts";

// PodDisruptionBudget status and NoExecute taint eviction. (Not built yet.)
export const disruptionController: ControllerModule = { name: "disruption" };
