import type { KubeObject } from "./types.ts";
import { podClaims } from "./volume-match.ts";

// StorageObjectInUseProtection's finalizers, shared by its admission half (every new claim and volume carries
// one) and the protection controllers that remove them once the object is unused.

export const PVC_PROTECTION = "kubernetes.io/pvc-protection";
export const PV_PROTECTION = "kubernetes.io/pv-protection";

/** The protection finalizer for a core kind, or undefined for kinds that have none. */
export function protectionFinalizer(plural: string): string | undefined {
  if (plural === "persistentvolumeclaims") return PVC_PROTECTION;
  if (plural === "persistentvolumes") return PV_PROTECTION;
  return undefined;
}

export function addFinalizer(obj: KubeObject, finalizer: string): boolean {
  const list = obj.metadata.finalizers ?? [];
  if (list.includes(finalizer)) return false;
  obj.metadata.finalizers = [...list, finalizer];
  return true;
}

/** A pod that will not run again: it cannot be using a claim any more. */
export function podTerminated(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** Whether a scheduled, not terminated pod of the claim's namespace mounts it (kube ignores unscheduled pods). */
export function claimInUse(pvc: KubeObject, pods: KubeObject[]): boolean {
  return pods.some(
    (p) =>
      !!(p.spec as { nodeName?: string } | undefined)?.nodeName &&
      p.metadata.namespace === pvc.metadata.namespace &&
      !podTerminated(p) &&
      podClaims(p).includes(pvc.metadata.name!),
  );
}
