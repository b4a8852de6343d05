import { OWNER_KINDS } from "../api/owner-kinds.ts";
import { kubeletSettled, reconcilePod } from "../kubelet/pod.ts";
import { reconcileScheduling } from "../scheduler/reconcile.ts";
import { reconcileDeployment } from "./deployment.ts";
import { reconcileEndpoints } from "./endpoints.ts";
import { reconcileGarbage } from "./gc.ts";
import { reconcileGcFinalize } from "./gc-finalize.ts";
import type { ControllerModule } from "./module.ts";
import { reconcileReplicaSet } from "./replicaset.ts";
import { reconcileServiceAccounts } from "./serviceaccount.ts";

// Deployments, ReplicaSets, endpoints, service accounts, garbage collection, the scheduler and the kubelet:
// the loops that make a Deployment's pods run and a Service find them.

const GC_FINALIZERS = new Set(["foregroundDeletion", "orphan"]);

export const workloadControllers: ControllerModule = {
  name: "workloads",
  objectKinds: [...OWNER_KINDS, "/pods"],
  route(ch, w) {
    const nsKey = `${ch.namespace}/${ch.name}`;
    const obj = ch.object;
    const owners = obj?.metadata.ownerReferences ?? [];
    const kind = `${ch.group}/${ch.plural}`;
    if (OWNER_KINDS.includes(kind) && ch.type === "DELETED" && obj?.metadata.uid)
      w("controllers", "gc", `${ch.namespace}/${obj.metadata.uid}`);
    const f = obj?.metadata.finalizers ?? [];
    if (OWNER_KINDS.includes(kind) && obj?.metadata.deletionTimestamp && f.some((x) => GC_FINALIZERS.has(x)))
      w("controllers", "gc-finalize", `${kind}/${ch.namespace}/${ch.name}`);
    switch (kind) {
      case "apps/deployments":
        if (ch.type !== "DELETED") w("controllers", "deployment", nsKey);
        break;
      case "apps/replicasets":
        if (ch.type !== "DELETED") w("controllers", "replicaset", nsKey);
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
          // The key is the cluster's, not the pod's: a burst of new pods then makes one item per routed
          // batch, and a pass schedules every pending pod anyway.
          if (!spec?.nodeName) w("scheduler", "scheduler", "*", `${ch.cluster}|scheduler`);
          // The kubelet's own status write, routed back, needs no pass when nothing changes by itself.
          else if (!obj || !kubeletSettled(obj, Date.now())) w("kubelet", "pod", nsKey);
        } else if (spec?.nodeName) {
          // A bound pod going frees room: pending pods get another pass.
          w("scheduler", "scheduler", "*", `${ch.cluster}|scheduler`);
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
  },
  reconcilers: {
    controllers: {
      deployment: reconcileDeployment,
      replicaset: reconcileReplicaSet,
      endpoints: reconcileEndpoints,
      serviceaccount: reconcileServiceAccounts,
      gc: reconcileGarbage,
      "gc-finalize": reconcileGcFinalize,
    },
    scheduler: { scheduler: reconcileScheduling },
    kubelet: { pod: reconcilePod },
  },
};
