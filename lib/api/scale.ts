import { evalJsonPath } from "./crd/jsonpath.ts";
import type { KindInfo, KubeObject, ScaleSubresource } from "./types.ts";

// The autoscaling/v1 Scale view of a scalable object.

export function getScale(obj: KubeObject, scale: ScaleSubresource, _kind: KindInfo): KubeObject {
  const m = obj.metadata;
  const replicas = Number(evalJsonPath(obj, scale.specReplicasPath) ?? 0);
  const status = Number(evalJsonPath(obj, scale.statusReplicasPath) ?? 0);
  let selector = scale.labelSelectorPath ? evalJsonPath(obj, scale.labelSelectorPath) : undefined;
  if (
    selector === undefined &&
    (obj.spec as { selector?: { matchLabels?: Record<string, string> } })?.selector?.matchLabels
  ) {
    selector = Object.entries(
      (obj.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  }
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas },
    status: { replicas: status, ...(typeof selector === "string" ? { selector } : {}) },
  };
}

export function setScaleReplicas(obj: KubeObject, scale: ScaleSubresource, replicas: number): KubeObject {
  const copy = structuredClone(obj);
  const parts = scale.specReplicasPath.replace(/^\./, "").split(".");
  let cur = copy as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) {
    cur[p] ??= {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = replicas;
  return copy;
}
