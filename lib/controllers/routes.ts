import { reconcilePod } from "../kubelet/pod.ts";
import { reconcilers, type WorkItem } from "../runtime/work.ts";
import { reconcileScheduling } from "../scheduler/reconcile.ts";
import type { QueueName } from "../topology.ts";
import type { Change } from "../watch/router.ts";
import { reconcileDeployment } from "./deployment.ts";
import { reconcileEndpoints } from "./endpoints.ts";
import { reconcileGarbage } from "./gc.ts";
import { reconcileReplicaSet } from "./replicaset.ts";
import { reconcileServiceAccounts } from "./serviceaccount.ts";

// Which changes wake which reconcilers. Each entry maps a change to work items; reconcilers read current
// state, so a duplicate or late item only causes a no-op reconcile.

type Routed = { queue: QueueName; item: WorkItem; group?: string };

export function routeChange(ch: Change): Routed[] {
  const out: Routed[] = [];
  const w = (queue: QueueName, controller: string, key: string, group?: string) =>
    out.push({ queue, item: { cluster: ch.cluster, controller, key }, group });
  const nsKey = `${ch.namespace}/${ch.name}`;
  const obj = ch.object;
  const owners = obj?.metadata.ownerReferences ?? [];
  switch (`${ch.group}/${ch.plural}`) {
    case "apps/deployments":
      if (ch.type === "DELETED") w("controllers", "gc", `${ch.namespace}/${obj?.metadata.uid}`);
      else w("controllers", "deployment", nsKey);
      break;
    case "apps/replicasets":
      if (ch.type === "DELETED") w("controllers", "gc", `${ch.namespace}/${obj?.metadata.uid}`);
      else w("controllers", "replicaset", nsKey);
      for (const o of owners)
        if (o.kind === "Deployment") w("controllers", "deployment", `${ch.namespace}/${o.name}`);
      break;
    case "/pods": {
      for (const o of owners)
        if (o.kind === "ReplicaSet") w("controllers", "replicaset", `${ch.namespace}/${o.name}`);
      w("controllers", "endpoints", ch.namespace);
      const spec = obj?.spec as { nodeName?: string } | undefined;
      if (ch.type !== "DELETED") {
        // One message group per cluster serialises scheduling decisions (no over-commit).
        if (!spec?.nodeName) w("scheduler", "scheduler", nsKey, `${ch.cluster}|scheduler`);
        else w("kubelet", "pod", nsKey);
      }
      break;
    }
    case "/services":
      w("controllers", "endpoints", ch.namespace);
      break;
    case "/namespaces":
      if (ch.type === "ADDED") w("controllers", "serviceaccount", ch.name);
      break;
    case "/nodes":
      if (ch.type !== "DELETED") w("scheduler", "scheduler", "*", `${ch.cluster}|scheduler`);
      break;
  }
  return out;
}

/** Kinds whose changes need the object itself for routing (owners, node name). */
export const ROUTED_WITH_OBJECT = new Set(["apps/deployments", "apps/replicasets", "/pods"]);

export function registerControllers(): void {
  Object.assign(reconcilers.controllers, {
    deployment: reconcileDeployment,
    replicaset: reconcileReplicaSet,
    endpoints: reconcileEndpoints,
    serviceaccount: reconcileServiceAccounts,
    gc: reconcileGarbage,
  });
  Object.assign(reconcilers.scheduler, { scheduler: reconcileScheduling });
  Object.assign(reconcilers.kubelet, { pod: reconcilePod });
}
