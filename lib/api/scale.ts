import { evalJsonPath } from "./crd/jsonpath.ts";
import { labelSelectorString, type MetaLabelSelector } from "./selectors.ts";
import type { KindInfo, KubeObject, ScaleSubresource } from "./types.ts";

// The autoscaling/v1 Scale view of a scalable object (Deployments, ReplicaSets, StatefulSets,
// ReplicationControllers and custom resources with a scale subresource).

function int(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The label selector string Scale.status.selector carries. */
function selectorOf(obj: KubeObject, scale: ScaleSubresource): string | undefined {
  const at = scale.labelSelectorPath ? evalJsonPath(obj, scale.labelSelectorPath) : undefined;
  if (typeof at === "string") return at;
  if (isObj(at)) return labelSelectorString(at as MetaLabelSelector);
  // Built-in workloads: the spec's metav1.LabelSelector (or a ReplicationController's plain map).
  const sel = (obj.spec as { selector?: unknown } | undefined)?.selector;
  if (isObj(sel)) {
    if ("matchLabels" in sel || "matchExpressions" in sel)
      return labelSelectorString(sel as MetaLabelSelector);
    return labelSelectorString({ matchLabels: sel as Record<string, string> });
  }
  return undefined;
}

export function getScale(obj: KubeObject, scale: ScaleSubresource, _kind?: KindInfo): KubeObject {
  const m = obj.metadata ?? {};
  const selector = selectorOf(obj, scale);
  const metadata: KubeObject["metadata"] = { name: m.name };
  if (m.namespace) metadata.namespace = m.namespace;
  if (m.uid) metadata.uid = m.uid;
  if (m.resourceVersion) metadata.resourceVersion = m.resourceVersion;
  if (m.creationTimestamp) metadata.creationTimestamp = m.creationTimestamp;
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata,
    spec: { replicas: int(evalJsonPath(obj, scale.specReplicasPath)) },
    status: { replicas: int(evalJsonPath(obj, scale.statusReplicasPath)), ...(selector ? { selector } : {}) },
  };
}

/** A copy of `obj` with the replicas at specReplicasPath set (intermediate objects are created as needed). */
export function setScaleReplicas(obj: KubeObject, scale: ScaleSubresource, replicas: number): KubeObject {
  const copy = structuredClone(obj);
  const parts = scale.specReplicasPath
    .replace(/^\{?\./, "")
    .replace(/\}$/, "")
    .split(".");
  let cur = copy as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = replicas;
  return copy;
}
