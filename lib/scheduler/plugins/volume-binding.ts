import type { KubeObject } from "../../api/types.ts";
import { nodeFitsVolume, podClaims, specOf } from "../../api/volume-match.ts";
import type { ApiClient } from "../../client/client.ts";
import type { FilterPlugin } from "../types.ts";

// VolumeBinding / VolumeZone: a pod can only go where its bound volumes can be attached (an EBS volume lives
// in one zone), and not at all while a claim it mounts is missing. Filters are pure, so the claims, volumes
// and classes are read once per scheduling pass (prepareVolumeBinding) and kept per pod object.

interface VolumeConstraint {
  /** Why no node can run the pod (kube-scheduler's PreFilter message). */
  error?: string;
  /** Bound volumes whose node affinity every candidate node must satisfy. */
  volumes: KubeObject[];
}

const constraints = new WeakMap<KubeObject, VolumeConstraint>();

export const VOLUME_CONFLICT = "node(s) had volume node affinity conflict";

/** Reads what the pending pods' claims need; call before scheduling them. */
export async function prepareVolumeBinding(api: ApiClient, pods: KubeObject[]): Promise<void> {
  const users = pods.filter((p) => podClaims(p).length > 0);
  if (users.length === 0) return;
  const [pvcs, pvs, classes] = await Promise.all([
    api.list("/api/v1/persistentvolumeclaims"),
    api.list("/api/v1/persistentvolumes"),
    api.list("/apis/storage.k8s.io/v1/storageclasses"),
  ]);
  const claims = new Map(pvcs.items.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]));
  const volumes = new Map(pvs.items.map((v) => [v.metadata.name, v]));
  const modes = new Map(
    classes.items.map((c) => [c.metadata.name, (c as { volumeBindingMode?: string }).volumeBindingMode]),
  );
  for (const pod of users) constraints.set(pod, constraintFor(pod, claims, volumes, modes));
}

export function constraintFor(
  pod: KubeObject,
  claims: Map<string, KubeObject>,
  volumes: Map<string | undefined, KubeObject>,
  modes: Map<string | undefined, string | undefined>,
): VolumeConstraint {
  const out: VolumeConstraint = { volumes: [] };
  for (const name of podClaims(pod)) {
    const pvc = claims.get(`${pod.metadata.namespace}/${name}`);
    if (!pvc) return { error: `persistentvolumeclaim "${name}" not found`, volumes: [] };
    if (pvc.metadata.deletionTimestamp)
      return { error: `persistentvolumeclaim "${name}" is being deleted`, volumes: [] };
    const volumeName = specOf(pvc).volumeName as string | undefined;
    if (volumeName) {
      const pv = volumes.get(volumeName);
      if (!pv) return { error: "pvc(s) bound to non-existent pv(s)", volumes: [] };
      out.volumes.push(pv);
      continue;
    }
    // Unbound: a WaitForFirstConsumer claim is provisioned where the pod lands; any other waits for binding.
    const className = specOf(pvc).storageClassName as string | undefined;
    if (!className || modes.get(className) !== "WaitForFirstConsumer")
      return { error: "pod has unbound immediate PersistentVolumeClaims", volumes: [] };
  }
  return out;
}

export const volumeBinding: FilterPlugin = (pod, n) => {
  const c = constraints.get(pod);
  if (!c) return undefined;
  if (c.error) return c.error;
  return c.volumes.every((pv) => nodeFitsVolume(pv, n.node)) ? undefined : VOLUME_CONFLICT;
};
