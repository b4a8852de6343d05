import type { KubeObject } from "../api/types.ts";
import type { ApiClient } from "./client.ts";
import { now } from "./runtime.ts";

// Events controllers record, so `kubectl describe` tells what happened and why.

export async function recordEvent(
  api: ApiClient,
  obj: KubeObject,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
  component: string,
): Promise<void> {
  const ts = now();
  await api
    .create(`/api/v1/namespaces/${obj.metadata.namespace}/events`, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { generateName: `${obj.metadata.name}.`, namespace: obj.metadata.namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component },
      reportingComponent: component,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
    })
    .catch(() => undefined); // events are best effort, as in Kubernetes
}
