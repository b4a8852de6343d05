import { StatusError } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import { type ApiClient, isStaleWrite } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { clientFor, splitKey } from "../client/runtime.ts";
import { log } from "../log.ts";
import { type ControllerModule, ownersOfKind } from "../runtime/module.ts";
import type { WorkItem } from "../runtime/work.ts";
import { cleanupHistory, jobFromTemplate, jobRef, type ObjectRef } from "./cron-jobs.ts";
import { dueSchedule, jobNameFor, parseSchedule, type Schedule } from "./cron-schedule.ts";
import { condition, type JobStatus } from "./job-status.ts";
import { wakeAt } from "./job-wake.ts";

// CronJob: creates a Job at each activation of its schedule (Kubernetes' cronjob controller v2). It keeps
// status.active in step with its Jobs, applies the concurrency policy, prunes finished Jobs beyond the
// history limits and then sleeps until the next activation with requeueAfter: nothing polls.

const MANAGER = "cronjob-controller";
export const SCHEDULED_AT = "batch.kubernetes.io/cronjob-scheduled-timestamp";

interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
}

interface CronJobStatus {
  active?: ObjectRef[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export const cronJobController: ControllerModule = {
  name: "cronjob",
  objectKinds: ["batch/jobs"],
  route(ch, emit) {
    const kind = `${ch.group}/${ch.plural}`;
    if (kind === "batch/cronjobs" && ch.type !== "DELETED")
      emit("controllers", "cronjob", `${ch.namespace}/${ch.name}`);
    if (kind === "batch/jobs")
      for (const o of ownersOfKind(ch, "CronJob")) emit("controllers", "cronjob", `${ch.namespace}/${o}`);
  },
  reconcilers: { controllers: { cronjob: reconcileCronJob } },
};

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export async function reconcileCronJob(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, MANAGER);
  const { namespace, name } = splitKey(item.key);
  const path = `/apis/batch/v1/namespaces/${namespace}/cronjobs/${name}`;
  const cj = await api.get(path);
  if (!cj || cj.metadata.deletionTimestamp) return;
  const spec = cj.spec as CronJobSpec;
  const old = (cj.status ?? {}) as CronJobStatus;
  const status: CronJobStatus = structuredClone(old);
  const nowDate = new Date();

  const jobsBase = `/apis/batch/v1/namespaces/${namespace}/jobs`;
  const jobs = (await api.list(jobsBase)).items.filter((j) =>
    (j.metadata.ownerReferences ?? []).some((o) => o.uid === cj.metadata.uid && o.controller),
  );
  syncActive(status, jobs);
  await cleanupHistory(
    api,
    jobsBase,
    jobs,
    spec.successfulJobsHistoryLimit ?? 3,
    spec.failedJobsHistoryLimit ?? 1,
  );

  let next: Date | undefined;
  if (!spec.suspend) {
    let sched: Schedule | undefined;
    try {
      sched = parseSchedule(spec.schedule, spec.timeZone);
    } catch (e) {
      const reason = spec.timeZone && /time zone/.test(String(e)) ? "UnknownTimeZone" : "UnparseableSchedule";
      await recordEvent(api, cj, "Warning", reason, (e as Error).message, MANAGER);
    }
    if (sched) next = await maybeStart(api, cj, spec, status, sched, nowDate);
  }

  if (JSON.stringify(status) !== JSON.stringify(old)) {
    try {
      await api.update(`${path}/status`, { ...cj, status });
    } catch (e) {
      if (!isStaleWrite(e)) throw e; // a newer version, or the deletion, is reconciled again
      return;
    }
  }
  // One second after the activation, so the wake-up finds it due.
  if (next) await wakeAt(item, next.getTime() + 1000);
}

/** Drops finished or vanished Jobs from status.active, adds our unfinished ones, tracks the last success. */
function syncActive(status: CronJobStatus, jobs: KubeObject[]): void {
  const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
  let active = (status.active ?? []).filter((r) => {
    const j = byUid.get(r.uid);
    return j && !finished(j);
  });
  for (const j of jobs) {
    const js = j.status as JobStatus | undefined;
    if (!finished(j)) {
      // A Job we scheduled but never recorded (we stopped between create and status write) is adopted;
      // one created by hand (kubectl create job --from) is not, as in Kubernetes.
      if (j.metadata.annotations?.[SCHEDULED_AT] && !active.some((r) => r.uid === j.metadata.uid))
        active = [...active, jobRef(j)];
      continue;
    }
    const done = condition(js, "Complete") ? js?.completionTime : undefined;
    if (done && (!status.lastSuccessfulTime || Date.parse(done) > Date.parse(status.lastSuccessfulTime)))
      status.lastSuccessfulTime = done;
  }
  status.active = active.length ? active : undefined;
  if (!status.active) delete status.active;
}

function finished(j: KubeObject): boolean {
  const s = j.status as JobStatus | undefined;
  return !!(condition(s, "Complete") || condition(s, "Failed"));
}

/** Starts the due activation if the policy allows; returns when to look again. */
async function maybeStart(
  api: ApiClient,
  cj: KubeObject,
  spec: CronJobSpec,
  status: CronJobStatus,
  sched: Schedule,
  nowDate: Date,
): Promise<Date> {
  const earliest = new Date(
    status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? nowDate.toISOString(),
  );
  const due = dueSchedule(sched, {
    earliest,
    now: nowDate,
    startingDeadlineSeconds: spec.startingDeadlineSeconds,
  });
  if (!due.scheduled) return due.next;
  if (due.tooManyMissed)
    await recordEvent(
      api,
      cj,
      "Warning",
      "TooManyMissedTimes",
      "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
      MANAGER,
    );
  if (due.tooLate) {
    await recordEvent(
      api,
      cj,
      "Warning",
      "MissedSchedule",
      `Missed scheduled time to start a job: ${rfc3339(due.scheduled)}`,
      MANAGER,
    );
    return due.next;
  }
  const ns = cj.metadata.namespace!;
  const active = status.active ?? [];
  if (spec.concurrencyPolicy === "Forbid" && active.length > 0) {
    // Not recorded as scheduled: when the running Job finishes (its change wakes us) the activation still
    // starts if it is within startingDeadlineSeconds.
    return due.next;
  }
  if (spec.concurrencyPolicy === "Replace") {
    for (const r of active) {
      await api.delete(`/apis/batch/v1/namespaces/${ns}/jobs/${r.name}`, { propagationPolicy: "Background" });
      await recordEvent(api, cj, "Normal", "SuccessfulDelete", `Deleted job ${r.name}`, MANAGER);
    }
    status.active = undefined;
    delete status.active;
  }
  const jobName = jobNameFor(cj.metadata.name!, due.scheduled);
  let job: KubeObject | undefined;
  try {
    job = await api.create(
      `/apis/batch/v1/namespaces/${ns}/jobs`,
      jobFromTemplate(cj, jobName, rfc3339(due.scheduled)),
    );
    await recordEvent(api, cj, "Normal", "SuccessfulCreate", `Created job ${jobName}`, MANAGER);
    log("info", "cronjob started job", {
      cluster: api.cluster,
      cronjob: `${ns}/${cj.metadata.name}`,
      job: jobName,
    });
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 409)) throw e;
    // Already created by an earlier pass (at-least-once delivery): record it rather than fail.
    job = await api.get(`/apis/batch/v1/namespaces/${ns}/jobs/${jobName}`);
  }
  if (job && !finished(job) && !(status.active ?? []).some((r) => r.uid === job.metadata.uid))
    status.active = [...(status.active ?? []), jobRef(job)];
  status.lastScheduleTime = rfc3339(due.scheduled);
  return due.next;
}
