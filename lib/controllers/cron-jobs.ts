import type { KubeObject } from "../api/types.ts";
import type { ApiClient } from "../client/client.ts";
import { condition, type JobStatus } from "./job-status.ts";
import { controllerRef } from "./owner.ts";

// The Jobs a CronJob owns: building one from the jobTemplate, referencing it in status.active and pruning
// finished ones beyond the history limits.

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  resourceVersion?: string;
}

type Any = any;

export function jobRef(j: KubeObject): ObjectRef {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    name: j.metadata.name!,
    namespace: j.metadata.namespace!,
    uid: j.metadata.uid!,
    resourceVersion: j.metadata.resourceVersion,
  };
}

export function jobFromTemplate(cj: KubeObject, name: string, scheduledAt: string): KubeObject {
  const tpl = ((cj.spec as Any)?.jobTemplate ?? {}) as { metadata?: Any; spec?: Any };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}) },
      annotations: {
        ...(tpl.metadata?.annotations ?? {}),
        "batch.kubernetes.io/cronjob-scheduled-timestamp": scheduledAt,
      },
      ownerReferences: [controllerRef(cj, "CronJob", "batch/v1")],
    },
    spec: structuredClone(tpl.spec ?? {}),
  } as KubeObject;
}

/** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
export async function cleanupHistory(
  api: ApiClient,
  jobsBase: string,
  jobs: KubeObject[],
  successLimit: number,
  failedLimit: number,
): Promise<void> {
  const st = (j: KubeObject) => j.status as JobStatus | undefined;
  const started = (j: KubeObject) => st(j)?.startTime ?? String(j.metadata.creationTimestamp ?? "");
  const prune = async (list: KubeObject[], limit: number) => {
    const sorted = [...list].sort((a, b) => started(a).localeCompare(started(b)));
    for (const j of sorted.slice(0, Math.max(0, sorted.length - limit)))
      await api.delete(`${jobsBase}/${j.metadata.name}`, {
        propagationPolicy: "Background",
        preconditions: { uid: j.metadata.uid },
      });
  };
  await prune(
    jobs.filter((j) => condition(st(j), "Complete") && !j.metadata.deletionTimestamp),
    successLimit,
  );
  await prune(
    jobs.filter((j) => condition(st(j), "Failed") && !j.metadata.deletionTimestamp),
    failedLimit,
  );
}
