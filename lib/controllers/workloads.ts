import { OWNER_KINDS } from "../api/owner-kinds.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { reconcileDeployment } from "./deployment.ts";
import { reconcileEndpoints } from "./endpoints.ts";
import { reconcileGarbage } from "./gc.ts";
import { reconcileGcFinalize } from "./gc-finalize.ts";
import { reconcileReplicaSet } from "./replicaset.ts";
import { reconcileServiceAccounts } from "./serviceaccount.ts";

// Deployments, ReplicaSets, endpoints, service accounts and garbage collection: with the scheduler and the
// kubelet (their own modules), the loops that make a Deployment's pods run and a Service find them.

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
        break;
      }
      case "/services":
        w("controllers", "endpoints", ch.namespace);
        break;
      case "/namespaces":
        if (ch.type === "ADDED") w("controllers", "serviceaccount", ch.name);
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
  },
};
