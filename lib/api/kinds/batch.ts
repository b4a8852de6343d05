import { z } from "zod";
import type { FieldError, KindInfo } from "../types.ts";
import { ageColumn, col, count, humanDuration, selectorString } from "./columns.ts";
import { defineKind } from "./define.ts";
import { invalid, notSupported, required } from "./meta.ts";
import { containersAndImages, defaultPodSpec, loose, podTemplateSchema, validatePodSpec } from "./pod.ts";

// batch/v1: Jobs and CronJobs.

const batch = { group: "batch", version: "v1" } as const;

const jobSpec = z.object({
  parallelism: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("The maximum desired number of pods the job should run at any given time."),
  completions: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("The desired number of successfully finished pods the job should be run with."),
  activeDeadlineSeconds: z.number().int().min(1).optional(),
  podFailurePolicy: loose.optional(),
  successPolicy: loose.optional(),
  backoffLimit: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("The number of retries before marking this job failed. Defaults to 6."),
  backoffLimitPerIndex: z.number().int().optional(),
  maxFailedIndexes: z.number().int().optional(),
  selector: loose.optional(),
  manualSelector: z.boolean().optional(),
  template: podTemplateSchema.describe("Describes the pod that will be created when executing a job."),
  ttlSecondsAfterFinished: z.number().int().min(0).optional(),
  completionMode: z.enum(["NonIndexed", "Indexed"]).optional(),
  suspend: z.boolean().optional(),
  podReplacementPolicy: z.string().optional(),
  managedBy: z.string().optional(),
});

function defaultJobSpec(s: any): void {
  if (!s || typeof s !== "object") return;
  // SetDefaults_Job: completions defaults to 1 only when parallelism is unset too; parallelism alone is a
  // work-queue Job (done when any pod succeeds and the rest have stopped).
  const workQueue =
    s.completions === undefined && s.parallelism !== undefined && s.completionMode !== "Indexed";
  s.parallelism ??= 1;
  if (!workQueue) s.completions ??= s.completionMode === "Indexed" ? s.parallelism : 1;
  // With backoffLimitPerIndex the per-index limit governs: the global one defaults to MaxInt32.
  s.backoffLimit ??= s.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  s.completionMode ??= "NonIndexed";
  s.suspend ??= false;
  s.podReplacementPolicy ??= s.podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  defaultPodSpec(s.template?.spec);
}

/** ValidateJobSpec's checks of the failure-handling fields (podFailurePolicy, per-index backoff). */
function validateFailureFields(spec: any, path: string): FieldError[] {
  const out: FieldError[] = [];
  const indexed = spec.completionMode === "Indexed";
  if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined)
    out.push(required(`${path}.backoffLimitPerIndex`, "when maxFailedIndexes is specified"));
  if (!indexed && spec.backoffLimitPerIndex !== undefined)
    out.push(
      invalid(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, "requires indexed completion mode"),
    );
  if (!indexed && spec.maxFailedIndexes !== undefined)
    out.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, "requires indexed completion mode"));
  const rules = spec.podFailurePolicy ? (spec.podFailurePolicy.rules ?? []) : [];
  for (const [i, r] of (Array.isArray(rules) ? rules : []).entries()) {
    const at = `${path}.podFailurePolicy.rules[${i}].action`;
    if (r?.action === "FailIndex") {
      if (spec.backoffLimitPerIndex === undefined)
        out.push(invalid(at, r.action, "requires the backoffLimitPerIndex to be set"));
    } else if (!["Count", "FailJob", "Ignore"].includes(r?.action))
      out.push(notSupported(at, r?.action ?? "", ["Count", "FailIndex", "FailJob", "Ignore"]));
  }
  if (
    spec.podFailurePolicy &&
    spec.podReplacementPolicy !== undefined &&
    spec.podReplacementPolicy !== "Failed"
  )
    out.push(notSupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, ["Failed"]));
  return out;
}

function validateJobTemplate(spec: any, path: string): FieldError[] {
  const out = [
    ...validateFailureFields(spec ?? {}, path),
    ...validatePodSpec(spec?.template?.spec, `${path}.template.spec`),
  ];
  const rp = spec?.template?.spec?.restartPolicy;
  if (spec?.template?.spec && rp !== "OnFailure" && rp !== "Never") {
    out.push(
      rp === undefined || rp === "Always"
        ? notSupported(`${path}.template.spec.restartPolicy`, rp ?? "Always", ["OnFailure", "Never"])
        : invalid(`${path}.template.spec.restartPolicy`, rp, "must be OnFailure or Never"),
    );
  } else if (spec?.template?.spec && spec.podFailurePolicy && rp !== "Never") {
    // Kube refuses the pair: with OnFailure a failing container restarts in place and the pod never fails.
    out.push(
      invalid(
        `${path}.template.spec.restartPolicy`,
        rp,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  }
  return out;
}

function jobStatus(o: any): string {
  const conds = (o.status?.conditions ?? []) as { type: string; status: string }[];
  const on = (t: string) => conds.some((c) => c.type === t && c.status === "True");
  if (on("Complete")) return "Complete";
  if (on("Failed")) return "Failed";
  if (on("Suspended") || o.spec?.suspend) return "Suspended";
  if (o.metadata.deletionTimestamp) return "Terminating";
  return "Running";
}

export const batchKinds: KindInfo[] = [
  defineKind({
    ...batch,
    kind: "Job",
    plural: "jobs",
    namespaced: true,
    categories: ["all"],
    status: true,
    description: "Job represents the configuration of a single job.",
    fields: {
      spec: jobSpec.optional().describe("Specification of the desired behavior of a job."),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      defaultJobSpec(o.spec);
      if (o.spec?.template && !o.spec.manualSelector) {
        // The apiserver generates a selector on the job's uid and labels the template with it.
        const uid = o.metadata.uid;
        if (uid) {
          o.spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
          o.spec.template.metadata ??= {};
          o.spec.template.metadata.labels = {
            ...(o.spec.template.metadata.labels ?? {}),
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": o.metadata.name,
            "controller-uid": uid,
            "job-name": o.metadata.name,
          };
        }
      }
      // SetDefaults_Job: a Job without labels takes its pod template's.
      const tl = o.spec?.template?.metadata?.labels;
      if (tl && Object.keys(o.metadata.labels ?? {}).length === 0) o.metadata.labels = { ...tl };
    },
    validate: (o: any) => (o.spec ? validateJobTemplate(o.spec, "spec") : [required("spec.template")]),
    columns: [
      col("Status", (o) => jobStatus(o)),
      col("Completions", (o) => `${count(o.status?.succeeded)}/${o.spec?.completions ?? 1}`),
      col("Duration", (o, now) => {
        const start = o.status?.startTime;
        if (!start) return "";
        const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now.getTime();
        return humanDuration(end - Date.parse(start));
      }),
      ageColumn,
      col("Containers", (o) => containersAndImages(o.spec?.template?.spec).containers, { priority: 1 }),
      col("Images", (o) => containersAndImages(o.spec?.template?.spec).images, { priority: 1 }),
      col(
        "Selector",
        (o) =>
          Object.entries(o.spec?.selector?.matchLabels ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(",") || "<none>",
        { priority: 1 },
      ),
    ],
  }),
  defineKind({
    ...batch,
    kind: "CronJob",
    plural: "cronjobs",
    namespaced: true,
    shortNames: ["cj"],
    categories: ["all"],
    status: true,
    description: "CronJob represents the configuration of a single cron job.",
    fields: {
      spec: z
        .object({
          schedule: z.string().describe("The schedule in Cron format."),
          timeZone: z.string().optional(),
          startingDeadlineSeconds: z.number().int().optional(),
          concurrencyPolicy: z.enum(["Allow", "Forbid", "Replace"]).optional(),
          suspend: z.boolean().optional(),
          jobTemplate: z
            .object({ metadata: loose.optional(), spec: jobSpec })
            .describe("Specifies the job that will be created when executing a CronJob."),
          successfulJobsHistoryLimit: z.number().int().min(0).optional(),
          failedJobsHistoryLimit: z.number().int().min(0).optional(),
        })
        .optional(),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      const s = o.spec;
      if (!s || typeof s !== "object") return;
      s.concurrencyPolicy ??= "Allow";
      s.suspend ??= false;
      s.successfulJobsHistoryLimit ??= 3;
      s.failedJobsHistoryLimit ??= 1;
      if (s.jobTemplate?.spec) {
        const js = s.jobTemplate.spec;
        js.backoffLimit ??= 6;
        js.completionMode ??= "NonIndexed";
        js.suspend ??= false;
        defaultPodSpec(js.template?.spec);
      }
    },
    validate: (o: any) => {
      const out: FieldError[] = [];
      const sched = o.spec?.schedule;
      if (
        typeof sched === "string" &&
        !/^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every\s+\S+)$/.test(sched.trim()) &&
        sched.trim().split(/\s+/).length !== 5
      ) {
        out.push(
          invalid(
            "spec.schedule",
            sched,
            `unparseable schedule: expected exactly 5 fields, found ${sched.trim().split(/\s+/).length}: "${sched}"`,
          ),
        );
      }
      if (o.spec?.jobTemplate?.spec)
        out.push(...validateJobTemplate(o.spec.jobTemplate.spec, "spec.jobTemplate.spec"));
      return out;
    },
    columns: [
      col("Schedule", (o) => o.spec?.schedule ?? ""),
      col("Timezone", (o) => o.spec?.timeZone ?? "<none>"),
      col("Suspend", (o) => (o.spec?.suspend === undefined ? "<unset>" : o.spec.suspend ? "True" : "False"), {
        type: "boolean",
      }),
      col("Active", (o) => (o.status?.active ?? []).length, { type: "integer" }),
      col("Last Schedule", (o, now) =>
        o.status?.lastScheduleTime
          ? humanDuration(now.getTime() - Date.parse(o.status.lastScheduleTime))
          : "<none>",
      ),
      ageColumn,
      col("Containers", (o) => containersAndImages(o.spec?.jobTemplate?.spec?.template?.spec).containers, {
        priority: 1,
      }),
      col("Images", (o) => containersAndImages(o.spec?.jobTemplate?.spec?.template?.spec).images, {
        priority: 1,
      }),
      col("Selector", (o) => selectorString(o.spec?.jobTemplate?.spec?.selector), { priority: 1 }),
    ],
  }),
];
