import { EBS_PROVISIONER } from "../api/storage-class.ts";
import type { KubeObject } from "../api/types.ts";
import {
  BIND_COMPLETED,
  BOUND_BY_CONTROLLER,
  bestVolume,
  claimRefTo,
  classOf,
  immediateZone,
  phaseOf,
  podClaims,
  preBoundTo,
  provisionedVolume,
  SELECTED_NODE,
  specOf,
  ZONE_LABEL,
} from "../api/volume-match.ts";
import type { ApiClient } from "../client/client.ts";
import { isConflict } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { clientFor, splitKey } from "../client/runtime.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import type { WorkItem } from "../runtime/work.ts";

// The PersistentVolume controller: binds claims to volumes (both sides, as kube-controller-manager does),
// provisions simulated EBS volumes for the ebs.csi.aws.com provisioner (at once for Immediate classes, in the
// zone of the node a consumer pod was scheduled to for WaitForFirstConsumer), and reclaims a volume when its
// claim goes (Delete removes it, Retain leaves it Released). Keys: "pvc" = namespace/name, "pv" = name.

type Any = Record<string, any>;
const MANAGER = "persistent-volume-binder";
const PVS = "/api/v1/persistentvolumes";
const pvcPath = (ns: string, name = "") =>
  `/api/v1/namespaces/${ns}/persistentvolumeclaims${name ? `/${name}` : ""}`;

export const volumeController: ControllerModule = {
  name: "volumes",
  objectKinds: ["/persistentvolumeclaims", "/persistentvolumes", "/pods"],
  route(ch, w) {
    const obj = ch.object;
    switch (`${ch.group}/${ch.plural}`) {
      case "/persistentvolumeclaims":
        w("controllers", "pvc", `${ch.namespace}/${ch.name}`);
        if (obj && specOf(obj).volumeName) w("controllers", "pv", specOf(obj).volumeName);
        // Pods waiting for this claim (to exist, or to be bound) may be schedulable now.
        if (ch.type === "ADDED" || (obj && phaseOf(obj) === "Bound"))
          w("scheduler", "scheduler", "*", `${ch.cluster}|scheduler`);
        break;
      case "/persistentvolumes": {
        if (ch.type !== "DELETED") w("controllers", "pv", ch.name);
        const ref = obj && (specOf(obj).claimRef as Any | undefined);
        if (ref?.namespace && ref.name) w("controllers", "pvc", `${ref.namespace}/${ref.name}`);
        break;
      }
      case "/pods":
        // A consumer scheduled to a node is what a WaitForFirstConsumer claim waits for.
        if (ch.type === "DELETED" || !obj || !specOf(obj).nodeName) break;
        for (const c of podClaims(obj)) w("controllers", "pvc", `${ch.namespace}/${c}`);
        break;
    }
  },
  reconcilers: { controllers: { pvc: reconcileClaim, pv: reconcileVolume } },
};

export async function reconcileClaim(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, MANAGER);
  const { namespace, name } = splitKey(item.key);
  const pvc = await api.get(pvcPath(namespace, name));
  if (!pvc || pvc.metadata.deletionTimestamp) return;
  const volumeName = specOf(pvc).volumeName as string | undefined;
  if (volumeName) {
    const pv = await api.get(`${PVS}/${volumeName}`);
    if (!pv) {
      // Bound once and the volume is gone: Lost. Asked for a volume that does not exist yet: wait.
      if (pvc.metadata.annotations?.[BIND_COMPLETED]) await setClaimStatus(api, pvc, { phase: "Lost" });
      return;
    }
    if (!specOf(pv).claimRef) {
      const bound = await bindVolume(api, pv, pvc);
      if (bound) await completeBinding(api, bound, pvc);
      return;
    }
    if (!preBoundTo(pv, pvc)) return setClaimStatus(api, pvc, { phase: "Lost" });
    await completeBinding(api, pv, pvc);
    return;
  }
  const className = classOf(pvc);
  const sc = className ? await api.get(`/apis/storage.k8s.io/v1/storageclasses/${className}`) : undefined;
  const waitForConsumer = (sc as Any | undefined)?.volumeBindingMode === "WaitForFirstConsumer";
  let node: KubeObject | undefined;
  if (waitForConsumer) {
    node = await consumerNode(api, pvc);
    if (!node) return; // binding and provisioning wait until a pod using the claim is scheduled
  }
  const pvs = (await api.list(PVS)).items;
  const pv = bestVolume(pvs, pvc, node);
  if (pv) {
    await bind(api, pv, pvc);
    return;
  }
  if (!sc || (sc as Any).provisioner !== EBS_PROVISIONER) return; // nothing simulates other provisioners
  const zone = node
    ? (node.metadata.labels?.[ZONE_LABEL] ?? "us-east-1a")
    : immediateZone(pvc, sc, await clusterZones(api));
  await provision(api, pvc, sc, zone, node);
}

/** The node a pod using the claim was scheduled to (the scheduler's selected-node, for WaitForFirstConsumer). */
async function consumerNode(api: ApiClient, pvc: KubeObject): Promise<KubeObject | undefined> {
  let nodeName = pvc.metadata.annotations?.[SELECTED_NODE];
  if (!nodeName) {
    const pods = (await api.list(`/api/v1/namespaces/${pvc.metadata.namespace}/pods`)).items;
    const user = pods.find(
      (p) => specOf(p).nodeName && !p.metadata.deletionTimestamp && podClaims(p).includes(pvc.metadata.name!),
    );
    nodeName = user && specOf(user).nodeName;
  }
  return nodeName ? api.get(`/api/v1/nodes/${nodeName}`) : undefined;
}

async function clusterZones(api: ApiClient): Promise<string[]> {
  const nodes = (await api.list("/api/v1/nodes")).items;
  return [...new Set(nodes.map((n) => n.metadata.labels?.[ZONE_LABEL]).filter((z): z is string => !!z))];
}

async function provision(
  api: ApiClient,
  pvc: KubeObject,
  sc: KubeObject,
  zone: string,
  node: KubeObject | undefined,
): Promise<void> {
  // The claim records who provisions it (and, for WaitForFirstConsumer, the node), as the real flow does.
  const annotations = {
    "volume.kubernetes.io/storage-provisioner": EBS_PROVISIONER,
    "volume.beta.kubernetes.io/storage-provisioner": EBS_PROVISIONER,
    ...(node ? { [SELECTED_NODE]: node.metadata.name! } : {}),
  };
  const current = pvc.metadata.annotations ?? {};
  if (Object.entries(annotations).some(([k, v]) => current[k] !== v)) {
    pvc = await api.mergePatch(pvcPath(pvc.metadata.namespace!, pvc.metadata.name!), {
      metadata: { annotations },
    });
  }
  const body = provisionedVolume(pvc, sc, zone);
  let pv: KubeObject;
  try {
    pv = await api.create(PVS, body);
  } catch (e) {
    if (!isConflict(e)) throw e;
    const existing = await api.get(`${PVS}/${body.metadata.name}`);
    if (!existing) throw e;
    pv = existing; // provisioned by an earlier attempt
  }
  log("info", "volume provisioned", { cluster: api.cluster, pv: pv.metadata.name, zone });
  await recordEvent(
    api,
    { ...pvc, apiVersion: "v1", kind: "PersistentVolumeClaim" },
    "Normal",
    "ProvisioningSucceeded",
    `Successfully provisioned volume ${pv.metadata.name}`,
    `${EBS_PROVISIONER}_kumulus`,
  );
  await bind(api, pv, pvc);
}

/** Binds both sides: the volume's claimRef first (the compare-and-swap that wins the volume), then the claim. */
async function bind(api: ApiClient, pv: KubeObject, pvc: KubeObject): Promise<void> {
  const bound = await bindVolume(api, pv, pvc);
  if (!bound) return;
  const annotations = pvc.metadata.annotations ?? {};
  let claim = pvc;
  if (specOf(pvc).volumeName !== bound.metadata.name || annotations[BIND_COMPLETED] !== "yes") {
    claim = await api.update(pvcPath(pvc.metadata.namespace!, pvc.metadata.name!), {
      ...pvc,
      metadata: {
        ...pvc.metadata,
        annotations: { ...annotations, [BIND_COMPLETED]: "yes", [BOUND_BY_CONTROLLER]: "yes" },
      },
      spec: { ...specOf(pvc), volumeName: bound.metadata.name },
    });
  }
  await completeBinding(api, bound, claim);
}

async function bindVolume(api: ApiClient, pv: KubeObject, pvc: KubeObject): Promise<KubeObject | undefined> {
  const ref = specOf(pv).claimRef as Any | undefined;
  if (ref?.uid === pvc.metadata.uid && ref?.name === pvc.metadata.name) return pv;
  try {
    return await api.update(`${PVS}/${pv.metadata.name}`, {
      ...pv,
      metadata: {
        ...pv.metadata,
        annotations: { ...(pv.metadata.annotations ?? {}), [BOUND_BY_CONTROLLER]: "yes" },
      },
      spec: {
        ...specOf(pv),
        claimRef: claimRefTo(pvc),
      },
    });
  } catch (e) {
    if (isConflict(e)) return undefined; // another claim won it; the claim is reconciled again
    throw e;
  }
}

async function completeBinding(api: ApiClient, pv: KubeObject, pvc: KubeObject): Promise<void> {
  if (phaseOf(pv) !== "Bound") await setStatus(api, `${PVS}/${pv.metadata.name}`, pv, { phase: "Bound" });
  await setClaimStatus(api, pvc, {
    phase: "Bound",
    accessModes: specOf(pv).accessModes,
    capacity: specOf(pv).capacity,
  });
}

async function setClaimStatus(api: ApiClient, pvc: KubeObject, status: Any): Promise<void> {
  const path = pvcPath(pvc.metadata.namespace!, pvc.metadata.name!);
  await setStatus(api, path, pvc, status);
}

async function setStatus(api: ApiClient, path: string, obj: KubeObject, status: Any): Promise<void> {
  const current = (obj.status ?? {}) as Any;
  const next = { ...current, ...status };
  if (JSON.stringify(next) === JSON.stringify(current)) return;
  try {
    await api.update(`${path}/status`, { ...obj, status: next });
  } catch (e) {
    if (!isConflict(e)) throw e; // the newer version is reconciled again
  }
}

export async function reconcileVolume(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, MANAGER);
  const path = `${PVS}/${item.key}`;
  const pv = await api.get(path);
  if (!pv) return;
  const ref = specOf(pv).claimRef as Any | undefined;
  if (!ref) {
    if (phaseOf(pv) !== "Available") await setStatus(api, path, pv, { phase: "Available" });
    if (!pv.metadata.deletionTimestamp) await bindWaitingClaims(api);
    return;
  }
  const pvc = ref.namespace && ref.name ? await api.get(pvcPath(ref.namespace, ref.name)) : undefined;
  if (pvc && (!ref.uid || ref.uid === pvc.metadata.uid)) {
    if (!ref.uid) return; // reserved for a claim that has not been bound yet: the claim's reconcile binds it
    if (specOf(pvc).volumeName === pv.metadata.name && phaseOf(pv) !== "Bound")
      await setStatus(api, path, pv, { phase: "Bound" });
    return;
  }
  if (!ref.uid) {
    if (phaseOf(pv) !== "Available") await setStatus(api, path, pv, { phase: "Available" });
    return;
  }
  // The claim this volume was bound to is gone: Released first (pv-protection keeps a Bound volume being
  // deleted), then reclaimed.
  if (phaseOf(pv) !== "Released") await setStatus(api, path, pv, { phase: "Released" });
  const policy = specOf(pv).persistentVolumeReclaimPolicy ?? "Retain";
  if (policy === "Delete" && !pv.metadata.deletionTimestamp) {
    log("info", "volume reclaimed (deleted)", { cluster: item.cluster, pv: pv.metadata.name });
    await api.delete(path);
  }
}

/** A volume became Available: pending claims of Immediate classes (or without a class) may now bind. */
async function bindWaitingClaims(api: ApiClient): Promise<void> {
  const claims = (await api.list("/api/v1/persistentvolumeclaims")).items.filter(
    (c) => !specOf(c).volumeName && !c.metadata.deletionTimestamp,
  );
  for (const c of claims) {
    await reconcileClaim({
      cluster: api.cluster,
      controller: "pvc",
      key: `${c.metadata.namespace}/${c.metadata.name}`,
    });
  }
}
