import type { KubeObject } from "../api/types.ts";
import { INDEX_KEY, isReady, type JobSpec } from "./job-status.ts";
import { controllerRef } from "./owner.ts";

// The pods a Job creates: its template plus the Job's tracking labels and a controller ownerReference, and
// for Indexed Jobs the completion index (annotation, label, hostname and JOB_COMPLETION_INDEX env var).

type Any = any;

export function podForJob(job: KubeObject, index?: number): KubeObject {
  const name = job.metadata.name!;
  const spec = job.spec as JobSpec & { manualSelector?: boolean };
  const tpl = spec.template ?? {};
  const labels: Record<string, string> = { ...(tpl.metadata?.labels ?? {}) };
  const annotations: Record<string, string> = { ...(tpl.metadata?.annotations ?? {}) };
  const uid = job.metadata.uid!;
  if (!spec.manualSelector) {
    // The API server's defaulting normally put these on the template already; older Jobs may lack them.
    labels["batch.kubernetes.io/controller-uid"] ??= uid;
    labels["batch.kubernetes.io/job-name"] ??= name;
    labels["controller-uid"] ??= uid;
    labels["job-name"] ??= name;
  }
  const podSpec: Any = structuredClone(tpl.spec ?? {});
  if (index !== undefined) {
    annotations[INDEX_KEY] = String(index);
    labels[INDEX_KEY] = String(index);
    podSpec.hostname ??= `${name}-${index}`.slice(0, 63);
    const env = {
      name: "JOB_COMPLETION_INDEX",
      valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX_KEY}']` } },
    };
    for (const c of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])]) {
      if ((c.env ?? []).some((e: Any) => e.name === env.name)) continue;
      c.env = [...(c.env ?? []), env];
    }
  }
  const prefix = index !== undefined ? `${name}-${index}-` : `${name}-`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: prefix,
      namespace: job.metadata.namespace,
      labels,
      annotations: Object.keys(annotations).length ? annotations : undefined,
      ownerReferences: [controllerRef(job, "Job", "batch/v1")],
    },
    spec: podSpec,
  } as KubeObject;
}

/** Which active pods to delete first: unscheduled, then not ready, then the youngest (as Kubernetes). */
export function deletionOrder(pods: KubeObject[]): KubeObject[] {
  const rank = (p: KubeObject) => ((p.spec as Any)?.nodeName ? 2 : 0) + (isReady(p) ? 1 : 0);
  return [...pods].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
  );
}
