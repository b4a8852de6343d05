import type { ControllerModule } from "./module.ts";

// Namespace lifecycle: Terminating, content removal, then gone. (Not built yet.)
export const namespaceController: ControllerModule = { name: "namespace" };
