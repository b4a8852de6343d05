import type { ControllerModule } from "./module.ts";

// ResourceQuota usage tracking. (Not built yet.)
export const quotaController: ControllerModule = { name: "quota" };
