import type { z } from "zod";
import type { podSpecSchema } from "./kinds/podspec.ts";
import type { KubeObject } from "./types.ts";

// Typed views of pods and the predicates every loop asks of them. Specs are typed by the zod schema the API
// validates with, so stored objects read the way they were admitted.

export type PodSpec = z.infer<typeof podSpecSchema>;

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The part of core/v1 PodStatus that controllers read (the status schema itself is open). */
export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  podIP?: string;
  hostIP?: string;
  startTime?: string;
}

export const podSpecOf = (p: KubeObject): Partial<PodSpec> => (p.spec ?? {}) as Partial<PodSpec>;
export const podStatusOf = (p: KubeObject): PodStatus => (p.status ?? {}) as PodStatus;

/** Not terminating and not finished: a pod that still counts towards its owner's replicas. */
export function isPodActive(p: KubeObject): boolean {
  const phase = podStatusOf(p).phase;
  return !p.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed";
}

export function isPodReady(p: KubeObject): boolean {
  return (podStatusOf(p).conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Whether `uid` is the object's controller owner. */
export function ownedBy(obj: KubeObject, uid: string | undefined): boolean {
  return (obj.metadata.ownerReferences ?? []).some((o) => o.uid === uid && o.controller);
}
