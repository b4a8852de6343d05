import type { ControllerModule } from "./module.ts";

// PV/PVC binding and dynamic provisioning. (Not built yet.)
export const volumeController: ControllerModule = { name: "volumes" };
