import type { KubeObject } from "../api/types.ts";
import type { AdmissionPlugin } from "../apiserver/admission.ts";

// StorageObjectInUseProtection, the admission half: every new claim and volume carries its protection
// finalizer, so a delete only marks it Terminating until the protection controllers (storage-protection.ts)
// see it unused. Store-level only, like the DefaultStorageClass plugin it runs next to.

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

export const storageObjectInUseProtection: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || ctx.kind.group !== "") return;
  const finalizer = protectionFinalizer(ctx.kind.plural);
  if (finalizer) addFinalizer(obj, finalizer);
};

/** A pod that will not run again: it cannot be using a claim any more. */
export function podTerminated(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** Whether a scheduled, not terminated pod of the claim's namespace mounts it (kube ignores unscheduled pods). */
export function claimInUse(pvc: KubeObject, pods: KubeObject[]): boolean {
  // volume-match.ts has podClaims, but importing it here would close an import cycle through admission.
  type Spec = { nodeName?: string; volumes?: { persistentVolumeClaim?: { claimName?: string } }[] };
  const podClaims = (p: KubeObject) =>
    ((p.spec as Spec | undefined)?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName);
  return pods.some(
    (p) =>
      !!(p.spec as Spec | undefined)?.nodeName &&
      p.metadata.namespace === pvc.metadata.namespace &&
      !podTerminated(p) &&
      podClaims(p).includes(pvc.metadata.name!),
  );
}
