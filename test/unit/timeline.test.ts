import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import { podStatusAt, sleepSeconds } from "../../lib/kubelet/timeline.ts";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const at = (s: number) => T0 + s * 1000;

function pod(spec: Record<string, unknown>, annotations?: Record<string, string>, job = false): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "p",
      namespace: "default",
      uid: "u-1",
      annotations,
      ownerReferences: job
        ? [{ apiVersion: "batch/v1", kind: "Job", name: "j", uid: "j1", controller: true }]
        : [],
    },
    spec: { containers: [{ name: "c", image: "busybox" }], ...spec },
  };
}

const ready = (s: Record<string, any>) =>
  s.conditions.find((c: { type: string; status: string }) => c.type === "Ready")?.status === "True";

describe("simulated pod timeline", () => {
  it("runs a plain container until deleted, Ready at once", () => {
    const { status, nextInSeconds } = podStatusAt(pod({}), T0, at(100));
    expect(status.phase).toBe("Running");
    expect(ready(status)).toBe(true);
    expect(nextInSeconds).toBeUndefined();
  });

  it("completes a Job pod after a second", () => {
    const p = pod({ restartPolicy: "Never" }, undefined, true);
    expect(podStatusAt(p, T0, at(0)).nextInSeconds).toBe(1);
    const done = podStatusAt(p, T0, at(1)).status;
    expect(done.phase).toBe("Succeeded");
    expect(done.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
  });

  it("fails with the exit-code knob and restartPolicy Never", () => {
    const p = pod({ restartPolicy: "Never" }, { "kumulus.io/run-seconds": "2", "kumulus.io/exit-code": "3" });
    expect(podStatusAt(p, T0, at(1)).status.phase).toBe("Running");
    const s = podStatusAt(p, T0, at(2)).status;
    expect(s.phase).toBe("Failed");
    expect(s.containerStatuses[0].state.terminated.exitCode).toBe(3);
  });

  it("backs off a crashing container: CrashLoopBackOff, restarts with doubling delays", () => {
    const p = pod({}, { "kumulus.io/crash": "true" });
    const s1 = podStatusAt(p, T0, at(2));
    expect(s1.status.phase).toBe("Running");
    expect(s1.status.containerStatuses[0].state.waiting.reason).toBe("CrashLoopBackOff");
    expect(s1.nextInSeconds).toBe(9); // restart at 1 + 10
    const s2 = podStatusAt(p, T0, at(11.5)).status.containerStatuses[0];
    expect(s2.restartCount).toBe(1);
    expect(s2.state.running).toBeDefined();
    expect(s2.lastState.terminated.exitCode).toBe(1);
    // 1 run + 10 back-off + 1 run + 20 back-off + 1 run + 40 ...
    expect(podStatusAt(p, T0, at(34)).status.containerStatuses[0].restartCount).toBe(2);
  });

  it("honours readiness probe timings and the probe-fail knob", () => {
    const probe = { readinessProbe: { initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2 } };
    const p = pod({ containers: [{ name: "c", image: "nginx", ...probe }] });
    const early = podStatusAt(p, T0, at(3));
    expect(ready(early.status)).toBe(false);
    expect(early.nextInSeconds).toBe(4);
    expect(ready(podStatusAt(p, T0, at(7)).status)).toBe(true);
    const never = pod(
      { containers: [{ name: "c", image: "nginx", ...probe }] },
      { "kumulus.io/probe-fail": "readiness" },
    );
    expect(ready(podStatusAt(never, T0, at(1000)).status)).toBe(false);
  });

  it("runs init containers first, in order", () => {
    const p = pod({
      initContainers: [
        { name: "a", image: "busybox", command: ["sh", "-c", "sleep 2"] },
        { name: "b", image: "busybox" },
      ],
    });
    const s = podStatusAt(p, T0, at(1)).status;
    expect(s.phase).toBe("Pending");
    expect(s.initContainerStatuses[1].state.waiting.reason).toBe("PodInitializing");
    expect(s.containerStatuses[0].state.waiting.reason).toBe("PodInitializing");
    expect(podStatusAt(p, T0, at(2.5)).status.initContainerStatuses[0].state.terminated.exitCode).toBe(0);
    expect(podStatusAt(p, T0, at(3)).status.phase).toBe("Running");
  });

  it("reads sleep durations from commands", () => {
    expect(sleepSeconds({ command: ["sleep", "30"] })).toBe(30);
    expect(sleepSeconds({ command: ["sh", "-c"], args: ["echo hi; sleep 5"] })).toBe(5);
    expect(sleepSeconds({ command: ["sleep", "infinity"] })).toBe(Number.POSITIVE_INFINITY);
    expect(sleepSeconds({ command: ["nginx"] })).toBeUndefined();
  });

  it("gives the same status when evaluated twice (no spurious writes)", () => {
    const p = pod({}, { "kumulus.io/crash": "true" });
    expect(podStatusAt(p, T0, at(50)).status).toEqual(podStatusAt(p, T0, at(50.4)).status);
  });
});
