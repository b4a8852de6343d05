import {
  addFinalizer,
  claimInUse,
  PV_PROTECTION,
  PVC_PROTECTION,
  podTerminated,
} from "../api/storage-protection.ts";
import type { KubeObject } from "../api/types.ts";
import { phaseOf, podClaims } from "../api/volume-match.ts";
import { type ApiClient, isConflict } from "../client/client.ts";
import { clientFor, splitKey } from "../client/runtime.ts";
import type { ControllerModule } from "../runtime/module.ts";
import type { WorkItem } from "../runtime/work.ts";

// kube-controller-manager's pvc-protection and pv-protection controllers. A claim being deleted keeps its
// finalizer while a scheduled pod that has not terminated mounts it; a volume being deleted keeps its
// finalizer while it is Bound. Objects that lack the finalizer (created before admission added it) get it.
// Keys: "pvc-protection" = namespace/name, "pv-protection" = name.

const PVC_MANAGER = "pvc-protection-controller";
const PV_MANAGER = "pv-protection-controller";
const PVS = "/api/v1/persistentvolumes";
const pvcPath = (ns: string, name = "") =>
  `/api/v1/namespaces/${ns}/persistentvolumeclaims${name ? `/${name}` : ""}`;

export const storageProtectionController: ControllerModule = {
  name: "storage-protection",
  objectKinds: ["/pods"],
  route(ch, w) {
    switch (`${ch.group}/${ch.plural}`) {
      case "/persistentvolumeclaims":
        if (ch.type !== "DELETED") w("controllers", "pvc-protection", `${ch.namespace}/${ch.name}`);
        break;
      case "/persistentvolumes":
        if (ch.type !== "DELETED") w("controllers", "pv-protection", ch.name);
        break;
      case "/pods": {
        // A pod that went away or finished may have been the last user of a claim being deleted.
        const pod = ch.object;
        if (!pod || (ch.type !== "DELETED" && !podTerminated(pod))) break;
        for (const c of podClaims(pod)) w("controllers", "pvc-protection", `${ch.namespace}/${c}`);
        break;
      }
    }
  },
  reconcilers: {
    controllers: { "pvc-protection": reconcileClaimProtection, "pv-protection": reconcileVolumeProtection },
  },
};

async function reconcileClaimProtection(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, PVC_MANAGER);
  const { namespace, name } = splitKey(item.key);
  const path = pvcPath(namespace, name);
  const pvc = await api.get(path);
  if (!pvc) return;
  if (!pvc.metadata.deletionTimestamp) return ensureFinalizer(api, path, pvc, PVC_PROTECTION);
  if (!(pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION)) return;
  const pods = (await api.list(`/api/v1/namespaces/${namespace}/pods`)).items;
  if (claimInUse(pvc, pods)) return; // the pod's deletion or termination wakes this key again
  await removeFinalizer(api, path, pvc, PVC_PROTECTION);
}

async function reconcileVolumeProtection(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, PV_MANAGER);
  const path = `${PVS}/${item.key}`;
  const pv = await api.get(path);
  if (!pv) return;
  if (!pv.metadata.deletionTimestamp) return ensureFinalizer(api, path, pv, PV_PROTECTION);
  if (!(pv.metadata.finalizers ?? []).includes(PV_PROTECTION)) return;
  // The volume controller moves a volume whose claim is gone to Released, which wakes this key.
  if (phaseOf(pv) === "Bound") return;
  await removeFinalizer(api, path, pv, PV_PROTECTION);
}

async function ensureFinalizer(api: ApiClient, path: string, obj: KubeObject, finalizer: string) {
  const next = structuredClone(obj);
  if (!addFinalizer(next, finalizer)) return;
  await write(api, path, next);
}

async function removeFinalizer(api: ApiClient, path: string, obj: KubeObject, finalizer: string) {
  const next = structuredClone(obj);
  next.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  await write(api, path, next);
}

/** A compare-and-swap update: a conflict means a newer version, whose change reconciles this key again. */
async function write(api: ApiClient, path: string, obj: KubeObject): Promise<void> {
  try {
    await api.update(path, obj);
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
}
