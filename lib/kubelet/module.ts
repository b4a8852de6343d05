import type { ControllerModule } from "../runtime/module.ts";
import { reconcileNodeKubelet } from "./node-kubelet.ts";
import { kubeletSettled, podItemKey, reconcilePod } from "./pod.ts";

// What wakes the simulated kubelets: every change of a node, and bound pods whose timeline has a next step.

export const kubeletModule: ControllerModule = {
  name: "kubelet",
  objectKinds: ["/pods"],
  route(ch, w) {
    const kind = `${ch.group}/${ch.plural}`;
    if (kind === "/nodes") w("kubelet", "node", ch.name);
    else if (kind === "/pods" && ch.type !== "DELETED") {
      const obj = ch.object;
      const node = (obj?.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!obj || !node) return;
      // The kubelet's own status write, routed back, needs no pass when nothing changes by itself.
      if (!kubeletSettled(obj, Date.now())) w("kubelet", "pod", podItemKey(node, ch.namespace, ch.name));
    }
  },
  reconcilers: { kubelet: { pod: reconcilePod, node: reconcileNodeKubelet } },
};
