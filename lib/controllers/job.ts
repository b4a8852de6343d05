import { labelSelectorFromObject, labelSelectorString } from "../api/selectors.ts";
import type { KubeObject } from "../api/types.ts";
import { type ApiClient, isStaleWrite } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { forEachLimit } from "../client/parallel.ts";
import { clientFor, now, splitKey } from "../client/runtime.ts";
import { log } from "../log.ts";
import { type ControllerModule, ownersOfKind } from "../runtime/module.ts";
import type { WorkItem } from "../runtime/work.ts";
import {
  failedIndexes,
  INDEX_FAILURE_COUNT,
  INDEX_IGNORED_FAILURE_COUNT,
  type IndexFailures,
  indexFailures,
  matchPodFailurePolicy,
} from "./job-failure.ts";
import { deletionOrder, podForJob } from "./job-pods.ts";
import {
  backoffSeconds,
  classify,
  condition,
  finishedAt,
  formatIndexes,
  isFinished,
  isReady,
  type JobSpec,
  type JobStatus,
  parseIndexes,
  podIndex,
  restarts,
  setCondition,
} from "./job-status.ts";
import { wakeAt } from "./job-wake.ts";

// Job: runs pods until `completions` of them succeed (or, Indexed, one per index), at most `parallelism` at
// a time; fails on backoffLimit or activeDeadlineSeconds; honours suspend; deletes itself
// ttlSecondsAfterFinished after finishing. Finished pods are kept: they are the record of what ran.
// Time-based steps (deadline, backoff, TTL) use requeueAfter rather than waiting.

const MANAGER = "job-controller";
type Any = any;

export const jobController: ControllerModule = {
  name: "job",
  objectKinds: ["batch/jobs", "/pods"],
  route(ch, emit) {
    const kind = `${ch.group}/${ch.plural}`;
    if (kind === "batch/jobs" && ch.type !== "DELETED")
      emit("controllers", "job", `${ch.namespace}/${ch.name}`);
    if (kind === "/pods")
      for (const o of ownersOfKind(ch, "Job")) emit("controllers", "job", `${ch.namespace}/${o}`);
  },
  reconcilers: { controllers: { job: reconcileJob } },
};

export async function reconcileJob(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, MANAGER);
  const { namespace, name } = splitKey(item.key);
  const path = `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`;
  const job = await api.get(path);
  if (!job || job.metadata.deletionTimestamp) return;
  const spec = (job.spec ?? {}) as JobSpec;
  const old = (job.status ?? {}) as JobStatus;
  const nowMs = Date.now();
  const ts = now();
  const wake: number[] = [];
  const requeue = async () => {
    const after = wake.filter((s) => s > 0);
    if (after.length) await wakeAt(item, nowMs + Math.min(...after) * 1000);
  };

  if (isFinished(old)) {
    await expireFinished(api, job, old, path, nowMs, item);
    return;
  }

  const pods = await ownedPods(api, job);
  const c = classify(pods);
  const indexed = spec.completionMode === "Indexed";
  const completions = spec.completions;
  const parallelism = spec.parallelism ?? 1;
  const backoffLimit = spec.backoffLimit ?? 6;
  // podFailurePolicy: Ignored failures count nowhere; the earliest FailJob match fails the Job.
  const judged = c.failed
    .map((p) => ({ pod: p, match: matchPodFailurePolicy(spec.podFailurePolicy, p) }))
    .sort((a, b) => (finishedAt(a.pod) ?? 0) - (finishedAt(b.pod) ?? 0));
  const counted = judged.filter((j) => j.match.action !== "Ignore").map((j) => j.pod);
  const failJob = judged.find((j) => j.match.action === "FailJob");
  // Counts never go down: a finished pod someone deleted still ran.
  const succeeded = Math.max(old.succeeded ?? 0, c.succeeded.length);
  const failed = Math.max(old.failed ?? 0, counted.length);
  const doneIdx = parseIndexes(old.completedIndexes);
  if (indexed)
    for (const p of c.succeeded) {
      const i = podIndex(p);
      if (i !== undefined && i < (completions ?? 0)) doneIdx.add(i);
    }
  const perIndexLimit = indexed ? spec.backoffLimitPerIndex : undefined;
  const perIndex = perIndexLimit !== undefined ? indexFailures(pods, spec.podFailurePolicy) : undefined;
  const failedIdx = parseIndexes(old.failedIndexes);
  if (perIndex) for (const i of failedIndexes(perIndex, perIndexLimit!, doneIdx)) failedIdx.add(i);

  let conds = [...(old.conditions ?? [])];
  let startTime = old.startTime;
  let completionTime: string | undefined;
  let active = c.active;
  const deleteActive = async (victims: KubeObject[]) => {
    await forEachLimit(victims, 25, async (p) => {
      await api.delete(`/api/v1/namespaces/${namespace}/pods/${p.metadata.name}`, {
        propagationPolicy: "Background",
        preconditions: { uid: p.metadata.uid },
      });
    });
    active = active.filter((p) => !victims.includes(p));
  };

  const deadline =
    spec.activeDeadlineSeconds !== undefined && startTime && !spec.suspend
      ? Date.parse(startTime) + spec.activeDeadlineSeconds * 1000
      : undefined;
  const onFailureRestarts =
    spec.template?.spec?.restartPolicy === "OnFailure" ? c.active.reduce((n, p) => n + restarts(p), 0) : 0;
  const pastBackoff =
    failed > backoffLimit ||
    (spec.template?.spec?.restartPolicy === "OnFailure" &&
      (backoffLimit === 0 ? onFailureRestarts > 0 : onFailureRestarts >= backoffLimit));
  const complete = indexed
    ? completions !== undefined && doneIdx.size >= completions
    : completions === undefined
      ? succeeded > 0 && c.active.length === 0
      : succeeded >= completions;

  // In the order kube's job controller decides.
  let failure: { reason: string; message: string } | undefined;
  if (failJob) failure = { reason: "PodFailurePolicy", message: failJob.match.message! };
  else if (pastBackoff && !complete)
    failure = { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
  else if (deadline !== undefined && nowMs >= deadline)
    failure = { reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
  else if (perIndex && spec.maxFailedIndexes !== undefined && failedIdx.size > spec.maxFailedIndexes)
    failure = {
      reason: "MaxFailedIndexesExceeded",
      message: "Job has exceeded the specified maximal number of failed indexes",
    };
  else if (perIndex && failedIdx.size > 0 && failedIdx.size + doneIdx.size >= (completions ?? 0))
    failure = { reason: "FailedIndexes", message: "Job has failed indexes" };

  if (failure) {
    await deleteActive(active);
    conds = setCondition(conds, "FailureTarget", "True", failure.reason, failure.message, ts);
    conds = setCondition(conds, "Failed", "True", failure.reason, failure.message, ts);
    await recordEvent(api, job, "Warning", failure.reason, failure.message, MANAGER);
  } else if (complete) {
    await deleteActive(active);
    const msg = "Reached expected number of succeeded pods";
    conds = setCondition(conds, "SuccessCriteriaMet", "True", "CompletionsReached", msg, ts);
    conds = setCondition(conds, "Complete", "True", "CompletionsReached", msg, ts);
    completionTime = ts;
    await recordEvent(api, job, "Normal", "Completed", "Job completed", MANAGER);
  } else if (spec.suspend) {
    if (active.length) await deleteActive(active);
    conds = setCondition(conds, "Suspended", "True", "JobSuspended", "Job suspended", ts);
    startTime = undefined; // the deadline restarts when the Job resumes
  } else {
    if (condition(old, "Suspended"))
      conds = setCondition(conds, "Suspended", "False", "JobResumed", "Job resumed", ts);
    startTime ??= ts;
    if (spec.activeDeadlineSeconds !== undefined)
      wake.push((Date.parse(startTime) + spec.activeDeadlineSeconds * 1000 - nowMs) / 1000 + 0.5);
    const want = { indexed, completions, parallelism, succeeded, doneIdx, failedIdx, perIndex, counted };
    active = [...active, ...(await scale(api, job, c, want, nowMs, wake, deleteActive))];
  }

  const status: JobStatus = {
    ...old,
    active: active.length || undefined,
    ready: active.filter(isReady).length,
    succeeded: succeeded || undefined,
    failed: failed || undefined,
    startTime,
    completionTime: completionTime ?? old.completionTime,
    conditions: conds.length ? conds : undefined,
    uncountedTerminatedPods: {},
  };
  if (indexed) status.completedIndexes = formatIndexes(doneIdx);
  if (perIndex) status.failedIndexes = formatIndexes(failedIdx);
  if (!startTime) delete status.startTime;
  for (const k of Object.keys(status) as (keyof JobStatus)[]) if (status[k] === undefined) delete status[k];
  if (JSON.stringify(status) !== JSON.stringify(old)) {
    try {
      await api.update(`${path}/status`, { ...job, status });
    } catch (e) {
      if (!isStaleWrite(e)) throw e; // a newer version, or the deletion, is reconciled again
      return;
    }
  }
  if (isFinished(status)) await expireFinished(api, job, status, path, nowMs, item);
  else await requeue();
}

interface Want {
  indexed: boolean;
  completions?: number;
  parallelism: number;
  succeeded: number;
  doneIdx: Set<number>;
  /** Indexes failed for good (backoffLimitPerIndex): never retried. */
  failedIdx: Set<number>;
  perIndex?: Map<number, IndexFailures>;
  /** Failed pods that count (not Ignored by podFailurePolicy): they set the replacement back-off. */
  counted: KubeObject[];
}

/** Creates or deletes active pods toward the wanted number, respecting the failure backoff. */
async function scale(
  api: ApiClient,
  job: KubeObject,
  c: ReturnType<typeof classify>,
  w: Want,
  nowMs: number,
  wake: number[],
  deleteActive: (v: KubeObject[]) => Promise<void>,
): Promise<KubeObject[]> {
  const ns = job.metadata.namespace!;
  let active = c.active;
  let toCreate: (number | undefined)[] = [];
  if (w.indexed) {
    const total = w.completions ?? 0;
    // An index already done, out of range, or held by an older pod: its extra pods go.
    const seen = new Set<number>();
    const extra: KubeObject[] = [];
    const byAge = [...active].sort((a, b) =>
      String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)),
    );
    const finished = (i: number) => w.doneIdx.has(i) || w.failedIdx.has(i);
    for (const p of byAge) {
      const i = podIndex(p);
      if (i === undefined || i >= total || finished(i) || seen.has(i)) extra.push(p);
      else seen.add(i);
    }
    if (extra.length) await deleteActive(extra);
    active = active.filter((p) => !extra.includes(p));
    const wantActive = Math.min(w.parallelism, total - w.doneIdx.size - w.failedIdx.size);
    if (active.length > wantActive)
      await deleteActive(deletionOrder(active).slice(0, active.length - wantActive));
    const pending: number[] = [];
    for (let i = 0; i < total && pending.length < wantActive - active.length; i++) {
      if (finished(i) || seen.has(i)) continue;
      // With backoffLimitPerIndex each index backs off on its own failures.
      const f = w.perIndex?.get(i);
      if (f?.lastFailureMs) {
        const until = f.lastFailureMs + backoffSeconds(f.failures) * 1000;
        if (until > nowMs) {
          wake.push((until - nowMs) / 1000);
          continue;
        }
      }
      pending.push(i);
    }
    toCreate = pending;
  } else {
    const wantActive =
      w.completions === undefined
        ? w.succeeded > 0
          ? active.length
          : w.parallelism
        : Math.max(0, Math.min(w.parallelism, w.completions - w.succeeded));
    if (active.length > wantActive)
      await deleteActive(deletionOrder(active).slice(0, active.length - wantActive));
    toCreate = Array.from({ length: Math.max(0, wantActive - active.length) }, () => undefined);
  }
  if (toCreate.length === 0) return [];

  // Kubernetes delays replacements after failures: 10 s, doubled per failure since the last success.
  const lastSuccess = Math.max(0, ...c.succeeded.map((p) => finishedAt(p) ?? 0));
  const recent = w.counted.map((p) => finishedAt(p) ?? 0).filter((t) => t >= lastSuccess);
  if (recent.length && !w.perIndex) {
    const until = Math.max(...recent) + backoffSeconds(recent.length) * 1000;
    if (until > nowMs) {
      wake.push((until - nowMs) / 1000);
      return [];
    }
  }
  const created: KubeObject[] = [];
  await forEachLimit(toCreate, 25, async (index) => {
    const pod = podForJob(job, index);
    const f = index !== undefined ? w.perIndex?.get(index) : undefined;
    if (index !== undefined && w.perIndex)
      pod.metadata.annotations = {
        ...pod.metadata.annotations,
        [INDEX_FAILURE_COUNT]: String(f?.failures ?? 0),
        [INDEX_IGNORED_FAILURE_COUNT]: String(f?.ignored ?? 0),
      };
    created.push(await api.create(`/api/v1/namespaces/${ns}/pods`, pod));
  });
  const names = created.map((p) => p.metadata.name!);
  for (const n of names)
    await recordEvent(api, job, "Normal", "SuccessfulCreate", `Created pod: ${n}`, MANAGER);
  log("debug", "job pods created", { cluster: api.cluster, job: `${ns}/${job.metadata.name}`, pods: names });
  return created;
}

async function ownedPods(api: ApiClient, job: KubeObject): Promise<KubeObject[]> {
  const sel = (job.spec as Any)?.selector;
  const selector = labelSelectorFromObject(sel);
  const q = sel ? `?labelSelector=${encodeURIComponent(labelSelectorString(sel))}` : "";
  const { items } = await api.list(`/api/v1/namespaces/${job.metadata.namespace}/pods${q}`);
  return items.filter(
    (p) =>
      (p.metadata.ownerReferences ?? []).some((o) => o.uid === job.metadata.uid && o.controller) &&
      selector.matches(p.metadata.labels),
  );
}

/** ttlSecondsAfterFinished: delete the finished Job (and, in the background, its pods) when it expires. */
async function expireFinished(
  api: ApiClient,
  job: KubeObject,
  status: JobStatus,
  path: string,
  nowMs: number,
  item: WorkItem,
): Promise<void> {
  const ttl = (job.spec as JobSpec).ttlSecondsAfterFinished;
  if (ttl === undefined) return;
  const finished = status.completionTime ?? condition(status, "Failed")?.lastTransitionTime;
  const expires = (finished ? Date.parse(finished) : nowMs) + ttl * 1000;
  if (expires > nowMs) {
    await wakeAt(item, expires);
    return;
  }
  // kube's ttl-after-finished-controller does this, with its own identity.
  await clientFor(api.cluster, "ttl-after-finished-controller").delete(path, {
    propagationPolicy: "Background",
    preconditions: { uid: job.metadata.uid },
  });
  log("info", "job expired", { cluster: api.cluster, job: path, ttl });
}
