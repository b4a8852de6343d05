import type { KubeObject } from "../api/types.ts";
import type { ApiClient } from "./client.ts";
import { now } from "./runtime.ts";

// Events controllers record, so `kubectl describe` tells what happened and why.
//
// Like client-go's EventCorrelator, a repeat of the same event (object, reason, message) bumps `count` and
// `lastTimestamp` of the event already written instead of adding another, and a token bucket per source and
// object (burst 25, one token back every 5 minutes) drops the flood a 1,000-pod ReplicaSet would cause. Both
// are per process, so across Lambda instances they are best effort, as they are across kube controllers.

const BURST = 25;
const REFILL_MS = 5 * 60_000;
const DEDUP_TTL_MS = 10 * 60_000;
const MAX_TRACKED = 5_000;

const buckets = new Map<string, { tokens: number; at: number }>();
const written = new Map<string, { name: string; count: number; at: number }>();

function take(key: string, t: number): boolean {
  const b = buckets.get(key) ?? { tokens: BURST, at: t };
  const refill = Math.floor((t - b.at) / REFILL_MS);
  if (refill > 0) {
    b.tokens = Math.min(BURST, b.tokens + refill);
    b.at += refill * REFILL_MS;
  }
  if (b.tokens <= 0) return false;
  b.tokens--;
  buckets.set(key, b);
  if (buckets.size > MAX_TRACKED) buckets.delete(buckets.keys().next().value as string);
  return true;
}

export async function recordEvent(
  api: ApiClient,
  obj: KubeObject,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
  component: string,
): Promise<void> {
  const t = Date.now();
  const ns = obj.metadata.namespace ?? "default";
  const objKey = `${api.cluster}/${component}/${obj.kind}/${ns}/${obj.metadata.name}/${obj.metadata.uid ?? ""}`;
  if (!take(objKey, t)) return;
  const ts = now();
  const same = `${objKey}/${type}/${reason}/${message}`;
  const prev = written.get(same);
  if (prev && t - prev.at < DEDUP_TTL_MS) {
    prev.count++;
    prev.at = t;
    const patched = await api
      .mergePatch(`/api/v1/namespaces/${ns}/events/${prev.name}`, { count: prev.count, lastTimestamp: ts })
      .catch(() => undefined);
    if (patched) return;
    written.delete(same); // the event was deleted (TTL, namespace): write a new one
  }
  const created = await api
    .create(`/api/v1/namespaces/${ns}/events`, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { generateName: `${obj.metadata.name}.`, namespace: ns },
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
  if (!created?.metadata.name) return;
  written.set(same, { name: created.metadata.name, count: 1, at: t });
  if (written.size > MAX_TRACKED) written.delete(written.keys().next().value as string);
}
