import type { KubeObject, OwnerReference } from "../api/types.ts";

/** The controller owner reference a workload puts on what it creates (blocks the owner's foreground deletion). */
export function controllerRef(owner: KubeObject, kind: string, apiVersion = "apps/v1"): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}
