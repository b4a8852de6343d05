import type { KubeObject } from "../api/types.ts";
import { KNOB } from "./timeline.ts";

// The kubelet events a user reads in `kubectl describe pod`, derived from what changed between the stored
// status and the one the kubelet writes. Only the events that explain trouble are written (BackOff, Unhealthy,
// probe-driven kills); kube's Pulled/Created/Started for every healthy container would double the writes per
// pod start, and the container states already say the same.

type Any = Record<string, any>;

export interface KubeletEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

function byName(status: Any | undefined): Map<string, Any> {
  return new Map(((status?.containerStatuses ?? []) as Any[]).map((c) => [c.name, c]));
}

export function kubeletEvents(pod: KubeObject, prev: Any | undefined, next: Any): KubeletEvent[] {
  const out: KubeletEvent[] = [];
  const before = byName(prev);
  const spec = (pod.spec ?? {}) as Any;
  const probeFail = pod.metadata.annotations?.[KNOB.probeFail];
  for (const c of (next.containerStatuses ?? []) as Any[]) {
    const old = before.get(c.name);
    const container = ((spec.containers ?? []) as Any[]).find((x) => x.name === c.name) ?? {};
    const wasWaiting = old?.state?.waiting?.reason;
    if (c.state?.waiting?.reason === "CrashLoopBackOff" && wasWaiting !== "CrashLoopBackOff")
      out.push({
        type: "Warning",
        reason: "BackOff",
        message: `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      });
    const justStarted = c.state?.running && !old?.state?.running;
    if (justStarted && probeFail === "readiness" && container.readinessProbe)
      out.push({
        type: "Warning",
        reason: "Unhealthy",
        message: `Readiness probe failed: ${probeDetail(container.readinessProbe)}`,
      });
    const killed =
      c.lastState?.terminated?.exitCode === 137 &&
      c.restartCount > (old?.restartCount ?? 0) &&
      probeFail === "liveness";
    if (killed) {
      out.push({
        type: "Warning",
        reason: "Unhealthy",
        message: `Liveness probe failed: ${probeDetail(container.livenessProbe)}`,
      });
      out.push({
        type: "Normal",
        reason: "Killing",
        message: `Container ${c.name} failed liveness probe, will be restarted`,
      });
    }
  }
  return out;
}

function probeDetail(probe: Any | undefined): string {
  if (probe?.httpGet) return "HTTP probe failed with statuscode: 500";
  if (probe?.tcpSocket) return `dial tcp: connect: connection refused`;
  if (probe?.grpc) return "service unhealthy (responded with NOT_SERVING)";
  return "command exited with code 1";
}

/** Graceful deletion: one Killing event per running container. */
export function killingEvents(pod: KubeObject): KubeletEvent[] {
  return ((pod.status as Any | undefined)?.containerStatuses ?? [])
    .filter((c: Any) => c.state?.running)
    .map((c: Any) => ({ type: "Normal", reason: "Killing", message: `Stopping container ${c.name}` }));
}
