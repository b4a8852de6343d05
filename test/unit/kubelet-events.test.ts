import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import { killingEvents, kubeletEvents } from "../../lib/kubelet/events.ts";

const pod = (annotations: Record<string, string> = {}, probe?: object): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "ns", uid: "u", annotations },
  spec: { containers: [{ name: "c", image: "x", ...(probe ?? {}) }] },
});
const running = (restartCount = 0, lastState?: object) => ({
  containerStatuses: [
    { name: "c", restartCount, state: { running: {} }, ...(lastState ? { lastState } : {}) },
  ],
});

describe("kubelet events", () => {
  it("says BackOff when a container enters CrashLoopBackOff, once per entry", () => {
    const waiting = {
      containerStatuses: [{ name: "c", restartCount: 0, state: { waiting: { reason: "CrashLoopBackOff" } } }],
    };
    const evs = kubeletEvents(pod(), running(), waiting);
    expect(evs).toEqual([
      {
        type: "Warning",
        reason: "BackOff",
        message: "Back-off restarting failed container c in pod p_ns(u)",
      },
    ]);
    expect(kubeletEvents(pod(), waiting, waiting)).toEqual([]);
  });

  it("reports a failing readiness probe when the container starts", () => {
    const p = pod({ "kumulus.io/probe-fail": "readiness" }, { readinessProbe: { httpGet: { port: 80 } } });
    expect(kubeletEvents(p, {}, running())).toEqual([
      {
        type: "Warning",
        reason: "Unhealthy",
        message: "Readiness probe failed: HTTP probe failed with statuscode: 500",
      },
    ]);
  });

  it("reports a liveness kill and the restart", () => {
    const p = pod({ "kumulus.io/probe-fail": "liveness" }, { livenessProbe: { exec: { command: ["x"] } } });
    const evs = kubeletEvents(p, running(0), running(1, { terminated: { exitCode: 137 } }));
    expect(evs.map((e) => e.reason)).toEqual(["Unhealthy", "Killing"]);
    expect(evs[1].message).toBe("Container c failed liveness probe, will be restarted");
  });

  it("stops each running container on deletion", () => {
    expect(killingEvents({ ...pod(), status: running() })).toEqual([
      { type: "Normal", reason: "Killing", message: "Stopping container c" },
    ]);
  });
});
