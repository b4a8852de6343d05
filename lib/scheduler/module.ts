import type { ControllerModule } from "../runtime/module.ts";
import { reconcileScheduling } from "./reconcile.ts";

// What wakes the scheduler. One message group per cluster serialises scheduling decisions (no over-commit),
// and the key is the cluster's, not the pod's: a burst of new pods then makes one item per routed batch, and
// a pass schedules every pending pod anyway.

export const schedulerModule: ControllerModule = {
  name: "scheduler",
  objectKinds: ["/pods"],
  route(ch, w) {
    const pass = () => w("scheduler", "scheduler", "*", `${ch.cluster}|scheduler`);
    const kind = `${ch.group}/${ch.plural}`;
    if (kind === "/pods") {
      const bound = Boolean((ch.object?.spec as { nodeName?: string } | undefined)?.nodeName);
      // A pending pod needs placing; a bound pod going frees room for pending ones.
      if (ch.type !== "DELETED" ? !bound : bound) pass();
    } else if (kind === "/nodes" && ch.type !== "DELETED") pass();
  },
  reconcilers: { scheduler: { scheduler: reconcileScheduling } },
};
