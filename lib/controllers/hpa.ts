import type { ControllerModule } from "./module.ts";

// HorizontalPodAutoscaler (autoscaling/v2) from the simulated metrics API. (Not built yet.)
export const hpaController: ControllerModule = { name: "hpa" };
