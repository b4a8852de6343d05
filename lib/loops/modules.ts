import { cronJobController } from "../controllers/cronjob.ts";
import { daemonSetController } from "../controllers/daemonset.ts";
import { disruptionController } from "../controllers/disruption.ts";
import { hpaController } from "../controllers/hpa.ts";
import { jobController } from "../controllers/job.ts";
import { namespaceController } from "../controllers/namespace.ts";
import { nodeLifecycleController } from "../controllers/node-lifecycle.ts";
import { quotaController } from "../controllers/quota.ts";
import { serviceLoadBalancerController } from "../controllers/service-lb.ts";
import { statefulSetController } from "../controllers/statefulset.ts";
import { storageProtectionController } from "../controllers/storage-protection.ts";
import { volumeController } from "../controllers/volumes.ts";
import { workloadControllers } from "../controllers/workloads.ts";
import { autoscalerModule } from "../fleet/autoscaler.ts";
import { fargateSchedulerModule } from "../fleet/fargate-scheduler.ts";
import { nodegroupRolloutModule } from "../fleet/nodegroup-rollout.ts";
import { kubeletModule } from "../kubelet/module.ts";
import type { ControllerModule, Routed } from "../runtime/module.ts";
import { tickJobs } from "../runtime/tick.ts";
import { reconcilers } from "../runtime/work.ts";
import { schedulerModule } from "../scheduler/module.ts";
import type { Change } from "../watch/router.ts";

// Every control loop, in one list. Each module maps changes to work items; reconcilers read current state,
// so a duplicate or late item only causes a no-op reconcile.
export const controllerModules: ControllerModule[] = [
  workloadControllers,
  schedulerModule,
  kubeletModule,
  jobController,
  cronJobController,
  statefulSetController,
  daemonSetController,
  volumeController,
  storageProtectionController,
  nodeLifecycleController,
  disruptionController,
  hpaController,
  namespaceController,
  quotaController,
  serviceLoadBalancerController,
  nodegroupRolloutModule,
  fargateSchedulerModule,
  autoscalerModule,
];

export function routeChange(ch: Change): Routed[] {
  const out: Routed[] = [];
  const emit = (queue: Routed["queue"], controller: string, key: string, group?: string) =>
    out.push({ queue, item: { cluster: ch.cluster, controller, key }, group });
  for (const m of controllerModules) m.route?.(ch, emit);
  return out;
}

/** Kinds whose changes need the object itself for routing (owners, node name). */
export const ROUTED_WITH_OBJECT = new Set(controllerModules.flatMap((m) => m.objectKinds ?? []));

let registered = false;

export function registerControllers(): void {
  if (registered) return;
  registered = true;
  for (const m of controllerModules) {
    for (const [queue, byName] of Object.entries(m.reconcilers ?? {})) {
      for (const [name, fn] of Object.entries(byName)) {
        if (reconcilers[queue]![name]) throw new Error(`two reconcilers named ${queue}/${name}`);
        reconcilers[queue]![name] = fn;
      }
    }
    tickJobs.push(...(m.periodic ?? []));
  }
}
