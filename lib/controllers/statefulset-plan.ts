import type { KubeObject } from "../api/types.ts";
import { templateHash } from "./deployment.ts";

// The StatefulSet algorithm without I/O: which pod to create or delete next, and the status that results.
// It follows kube-controller-manager's StatefulSet control: ordinals ascending for creation, descending for
// scale-down and rolling updates; OrderedReady waits for each pod to be Running and Ready before the next
// step, Parallel does not (except for updates, which are one pod at a time either way).

type Any = Record<string, any>;

export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
export const REVISION_LABEL = "controller-revision-hash";

export interface PodState {
  name: string;
  ordinal: number;
  revision: string;
  /** Running and Ready. */
  ready: boolean;
  /** Ready for at least minReadySeconds (the same as ready without it). */
  available: boolean;
  terminating: boolean;
  /** Succeeded or Failed: the pod is replaced. */
  finished: boolean;
}

export interface PlanInput {
  replicas: number;
  start: number;
  policy: "OrderedReady" | "Parallel";
  strategy: "RollingUpdate" | "OnDelete";
  partition: number;
  currentRevision: string;
  updateRevision: string;
  pods: PodState[];
}

export type Action = { type: "create"; ordinal: number; revision: string } | { type: "delete"; name: string };

/** The ordinal of a pod named `<set>-<n>`, or undefined when the name is not one of the set's. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** The claim a pod gets from a volumeClaimTemplate: `<template>-<set>-<ordinal>`. */
export function claimName(templateName: string, setName: string, ordinal: number): string {
  return `${templateName}-${setName}-${ordinal}`;
}

/** The revision a newly created pod gets: below the partition it stays on the current revision. */
export function revisionFor(input: PlanInput, ordinal: number): string {
  if (input.strategy === "RollingUpdate" && ordinal < input.start + input.partition)
    return input.currentRevision;
  return input.updateRevision;
}

export function plan(input: PlanInput): Action[] {
  const { replicas, start } = input;
  const monotonic = input.policy === "OrderedReady";
  const end = start + replicas;
  const byOrdinal = new Map(input.pods.map((p) => [p.ordinal, p]));
  const condemned = input.pods
    .filter((p) => p.ordinal < start || p.ordinal >= end)
    .sort((a, b) => b.ordinal - a.ordinal);
  const actions: Action[] = [];
  let unhealthy = false;

  for (let o = start; o < end; o++) {
    const pod = byOrdinal.get(o);
    if (!pod) {
      actions.push({ type: "create", ordinal: o, revision: revisionFor(input, o) });
      if (monotonic) return actions;
      unhealthy = true;
      continue;
    }
    if (pod.finished && !pod.terminating) {
      actions.push({ type: "delete", name: pod.name });
      if (monotonic) return actions;
      unhealthy = true;
      continue;
    }
    // OrderedReady moves on only once a pod is available, not merely ready (minReadySeconds).
    if (pod.terminating || !pod.ready || !pod.available) {
      if (monotonic) return actions;
      unhealthy = true;
    }
  }

  // Scale down from the highest ordinal; OrderedReady one pod at a time, once the rest is healthy.
  for (const pod of condemned) {
    if (pod.terminating) {
      if (monotonic) return actions;
      continue;
    }
    actions.push({ type: "delete", name: pod.name });
    if (monotonic) return actions;
  }
  if (condemned.length > 0 || unhealthy || input.strategy !== "RollingUpdate") return actions;

  // Rolling update, highest ordinal first, down to the partition: one pod at a time.
  for (let o = end - 1; o >= start + input.partition; o--) {
    const pod = byOrdinal.get(o)!;
    if (pod.revision !== input.updateRevision) {
      if (!pod.terminating) actions.push({ type: "delete", name: pod.name });
      return actions;
    }
    if (!pod.ready) return actions;
  }
  return actions;
}

export interface SetStatus {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  currentRevision: string;
  updateRevision: string;
}

export function computeStatus(
  pods: PodState[],
  currentRevision: string,
  updateRevision: string,
  strategy: string,
): SetStatus {
  const s: SetStatus = {
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision,
    updateRevision,
  };
  for (const p of pods) {
    s.replicas++;
    if (p.ready) s.readyReplicas++;
    if (p.ready && p.available) s.availableReplicas++;
    if (p.terminating) continue;
    if (p.revision === currentRevision) s.currentReplicas++;
    if (p.revision === updateRevision) s.updatedReplicas++;
  }
  // A finished rolling update makes the update revision current.
  if (strategy === "RollingUpdate" && s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
    s.currentRevision = updateRevision;
    s.currentReplicas = s.updatedReplicas;
  }
  return s;
}

/** The revision name of a pod template: `<set>-<hash>`, the value of the pods' controller-revision-hash. */
export function revisionName(setName: string, template: unknown): string {
  return `${setName}-${templateHash(template ?? {})}`;
}

/** What a ControllerRevision stores: the template as a replace patch, as kube-controller-manager writes it. */
export function revisionData(template: Any): Any {
  return { spec: { template: { ...template, $patch: "replace" } } };
}

export function templateOfRevision(rev: KubeObject): Any {
  const { $patch: _p, ...template } = ((rev as Any).data?.spec?.template ?? {}) as Any;
  return template;
}
