import type { KubeObject } from "../api/types.ts";
import type { PodFailurePolicy } from "./job-failure.ts";

// Pure pieces of the Job controller: classifying a Job's pods, counting, conditions, completed indexes and
// the pod-failure backoff. No API calls here, so the reconcile in job.ts stays a short read-decide-write.

export const INDEX_KEY = "batch.kubernetes.io/job-completion-index";

export interface JobCondition {
  type: string;
  status: "True" | "False";
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export interface JobSpec {
  parallelism?: number;
  completions?: number;
  completionMode?: "NonIndexed" | "Indexed";
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  podFailurePolicy?: PodFailurePolicy;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  suspend?: boolean;
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: any;
  };
}

export interface JobStatus {
  active?: number;
  ready?: number;
  succeeded?: number;
  failed?: number;
  startTime?: string;
  completionTime?: string;
  completedIndexes?: string;
  failedIndexes?: string;
  conditions?: JobCondition[];
  uncountedTerminatedPods?: Record<string, never>;
}

type Any = any;

export function podPhase(p: KubeObject): string | undefined {
  return (p.status as Any)?.phase;
}

export function isTerminating(p: KubeObject): boolean {
  return !!p.metadata.deletionTimestamp && podPhase(p) !== "Succeeded" && podPhase(p) !== "Failed";
}

export function isActive(p: KubeObject): boolean {
  const ph = podPhase(p);
  return !p.metadata.deletionTimestamp && ph !== "Succeeded" && ph !== "Failed";
}

export function isReady(p: KubeObject): boolean {
  return ((p.status as Any)?.conditions ?? []).some((c: Any) => c.type === "Ready" && c.status === "True");
}

/** Container restarts of a pod; with restartPolicy OnFailure they count against backoffLimit. */
export function restarts(p: KubeObject): number {
  const st = p.status as Any;
  return [...(st?.containerStatuses ?? []), ...(st?.initContainerStatuses ?? [])].reduce(
    (n: number, c: Any) => n + (c.restartCount ?? 0),
    0,
  );
}

/** When a finished pod finished: its last container's finishedAt, else its last condition change. */
export function finishedAt(p: KubeObject): number | undefined {
  const st = p.status as Any;
  const times: number[] = [];
  for (const c of st?.containerStatuses ?? []) {
    const t = c.state?.terminated?.finishedAt;
    if (t) times.push(Date.parse(t));
  }
  if (times.length === 0)
    for (const c of st?.conditions ?? [])
      if (c.lastTransitionTime) times.push(Date.parse(c.lastTransitionTime));
  return times.length ? Math.max(...times) : undefined;
}

export function podIndex(p: KubeObject): number | undefined {
  const v = p.metadata.annotations?.[INDEX_KEY] ?? p.metadata.labels?.[INDEX_KEY];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export function condition(status: JobStatus | undefined, type: string): JobCondition | undefined {
  return (status?.conditions ?? []).find((c) => c.type === type && c.status === "True");
}

export function isFinished(status: JobStatus | undefined): boolean {
  return !!(condition(status, "Complete") || condition(status, "Failed"));
}

/** Sets (or flips) a condition, keeping lastTransitionTime when the status does not change. */
export function setCondition(
  conds: JobCondition[],
  type: string,
  status: "True" | "False",
  reason: string,
  message: string,
  now: string,
): JobCondition[] {
  const old = conds.find((c) => c.type === type);
  if (old && old.status === status && old.reason === reason) return conds;
  const next: JobCondition = { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
  return old ? conds.map((c) => (c === old ? next : c)) : [...conds, next];
}

/** "0-2,4,6,7" from a set of indexes, as in status.completedIndexes (kube writes a pair as "6,7"). */
export function formatIndexes(ix: Iterable<number>): string {
  const sorted = [...new Set(ix)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}${j === i + 1 ? "," : "-"}${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

export function parseIndexes(s: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? "").split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.add(i);
  }
  return out;
}

export const BACKOFF_BASE_SECONDS = 10;
export const BACKOFF_MAX_SECONDS = 360;

/** Kubernetes' pod-failure backoff: 10 s doubled per failure, at most 6 minutes, after the last failure. */
export function backoffSeconds(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.min(failures - 1, 10));
}

export interface PodCounts {
  active: KubeObject[];
  terminating: KubeObject[];
  succeeded: KubeObject[];
  failed: KubeObject[];
}

export function classify(pods: KubeObject[]): PodCounts {
  const out: PodCounts = { active: [], terminating: [], succeeded: [], failed: [] };
  for (const p of pods) {
    const ph = podPhase(p);
    if (ph === "Succeeded") out.succeeded.push(p);
    else if (ph === "Failed") out.failed.push(p);
    else if (p.metadata.deletionTimestamp) out.terminating.push(p);
    else out.active.push(p);
  }
  return out;
}
