import type { ControllerModule } from "./module.ts";

// CronJob: creates Jobs on a 5-field schedule. (Not built yet.)
export const cronJobController: ControllerModule = { name: "cronjob" };
