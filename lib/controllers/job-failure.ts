import type { KubeObject } from "../api/types.ts";
import { finishedAt, podIndex } from "./job-status.ts";

// Pure pieces of how a Job judges failed pods: `podFailurePolicy` (the first rule matching a failed pod's
// exit codes or conditions decides FailJob, FailIndex, Ignore or Count) and `backoffLimitPerIndex` (failure
// counts per completion index, carried on each replacement pod as kube's job controller does).

type Any = any;

export type FailureAction = "FailJob" | "FailIndex" | "Ignore" | "Count";

export interface PodFailurePolicyRule {
  action: FailureAction;
  onExitCodes?: { containerName?: string; operator: "In" | "NotIn"; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface PodFailurePolicy {
  rules?: PodFailurePolicyRule[];
}

export interface PolicyMatch {
  action: FailureAction;
  /** For FailJob: the Failed condition's message. */
  message?: string;
}

export const INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count";
export const INDEX_IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count";

/** The first terminated container (regular, then init) with a non-zero exit code the requirement matches. */
function matchExitCodes(pod: KubeObject, req: NonNullable<PodFailurePolicyRule["onExitCodes"]>): Any {
  const st = (pod.status ?? {}) as Any;
  for (const list of [st.containerStatuses ?? [], st.initContainerStatuses ?? []]) {
    for (const cs of list) {
      const code = cs.state?.terminated?.exitCode;
      if (code === undefined || code === 0) continue;
      if (req.containerName !== undefined && req.containerName !== cs.name) continue;
      const listed = (req.values ?? []).includes(code);
      if (req.operator === "In" ? listed : !listed) return cs;
    }
  }
  return undefined;
}

function matchConditions(pod: KubeObject, patterns: { type: string; status?: string }[]): Any {
  const conds = ((pod.status as Any)?.conditions ?? []) as Any[];
  for (const c of conds)
    for (const p of patterns) if (c.type === p.type && c.status === (p.status ?? "True")) return c;
  return undefined;
}

/** What the Job's podFailurePolicy says about a failed pod: Count when no rule matches (or no policy). */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: KubeObject): PolicyMatch {
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [i, rule] of (policy?.rules ?? []).entries()) {
    let message: string | undefined;
    if (rule.onExitCodes) {
      const cs = matchExitCodes(pod, rule.onExitCodes);
      if (!cs) continue;
      message = `Container ${cs.name} for pod ${where} failed with exit code ${cs.state.terminated.exitCode} matching ${rule.action} rule at index ${i}`;
    } else if (rule.onPodConditions?.length) {
      const c = matchConditions(pod, rule.onPodConditions);
      if (!c) continue;
      message = `Pod ${where} has condition ${c.type} matching ${rule.action} rule at index ${i}`;
    } else continue;
    return rule.action === "FailJob" ? { action: "FailJob", message } : { action: rule.action };
  }
  return { action: "Count" };
}

export interface IndexFailures {
  /** Counted failures of the index so far (what backoffLimitPerIndex limits). */
  failures: number;
  ignored: number;
  /** When the index's last counted failure happened (epoch ms), for its backoff. */
  lastFailureMs?: number;
  /** A FailIndex rule matched one of its pods. */
  failIndex: boolean;
}

const count = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : 0);

/**
 * Failures per index: each pod carries the counts of the pods of its index before it (annotations), plus
 * its own failure, so the counts survive finished pods being deleted.
 */
export function indexFailures(
  pods: KubeObject[],
  policy: PodFailurePolicy | undefined,
): Map<number, IndexFailures> {
  const out = new Map<number, IndexFailures>();
  for (const p of pods) {
    const i = podIndex(p);
    if (i === undefined) continue;
    const a = p.metadata.annotations ?? {};
    let failures = count(a[INDEX_FAILURE_COUNT]);
    let ignored = count(a[INDEX_IGNORED_FAILURE_COUNT]);
    let failIndex = false;
    let at: number | undefined;
    if ((p.status as Any)?.phase === "Failed") {
      const m = matchPodFailurePolicy(policy, p);
      if (m.action === "Ignore") ignored++;
      else {
        failures++;
        at = finishedAt(p);
        failIndex = m.action === "FailIndex";
      }
    }
    const prev = out.get(i) ?? { failures: 0, ignored: 0, failIndex: false };
    out.set(i, {
      failures: Math.max(prev.failures, failures),
      ignored: Math.max(prev.ignored, ignored),
      lastFailureMs: Math.max(prev.lastFailureMs ?? 0, at ?? 0) || undefined,
      failIndex: prev.failIndex || failIndex,
    });
  }
  return out;
}

/** Indexes that failed for good: past backoffLimitPerIndex, or failed by a FailIndex rule, and not done. */
export function failedIndexes(
  per: Map<number, IndexFailures>,
  limit: number,
  done: Set<number>,
): Set<number> {
  const out = new Set<number>();
  for (const [i, f] of per) if (!done.has(i) && (f.failIndex || f.failures > limit)) out.add(i);
  return out;
}
