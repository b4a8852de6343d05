import type { ControllerModule } from "./module.ts";

// DaemonSet: one pod per eligible node. (Not built yet.)
export const daemonSetController: ControllerModule = { name: "daemonset" };
