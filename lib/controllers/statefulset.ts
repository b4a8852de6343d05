import type { ControllerModule } from "./module.ts";

// StatefulSet: ordinal pods and their PVCs. (Not built yet.)
export const statefulSetController: ControllerModule = { name: "statefulset" };
