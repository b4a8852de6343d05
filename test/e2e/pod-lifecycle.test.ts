import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor, writeTemp } from "../helpers.ts";

// The simulated kubelet's pod lifecycle as kubectl shows it: completion, crash loops, probes, init
// containers and graceful deletion (knobs in docs/simulation.md).

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("podlife", 1);
});

const pod = (name: string) => JSON.parse(k.kubectl(["get", "pod", name, "-o", "json"]).stdout);
const column = (name: string) => k.kubectl(["get", "pod", name, "--no-headers"]).stdout;

describe("simulated pod lifecycle", () => {
  it("runs `sleep N` for N seconds and completes", async () => {
    const r = k.kubectl(["run", "nap", "--image=busybox", "--restart=Never", "--", "sleep", "2"]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => pod("nap").status.phase === "Succeeded", 60_000, "sleep 2 to complete");
    expect(column("nap")).toContain("Completed");
    expect(pod("nap").status.containerStatuses[0].state.terminated.exitCode).toBe(0);
  });

  it("shows CrashLoopBackOff and counts restarts for a crashing container", async () => {
    const r = k.kubectl([
      "run",
      "crasher",
      "--image=busybox",
      "--annotations=kumulus.io/crash=true",
      "--",
      "false",
    ]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => column("crasher").includes("CrashLoopBackOff"), 60_000, "CrashLoopBackOff");
    await waitFor(
      () => pod("crasher").status.containerStatuses[0].restartCount >= 1,
      60_000,
      "a restart after the back-off",
    );
    expect(pod("crasher").status.containerStatuses[0].lastState.terminated.exitCode).toBe(1);
    await waitFor(
      () =>
        /Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container crasher in pod crasher_/.test(
          k.kubectl(["describe", "pod", "crasher"]).stdout,
        ),
      30_000,
      "a BackOff event in describe",
    );
  });

  it("becomes Ready only after the readiness probe's initial delay, and runs init containers first", async () => {
    const file = writeTemp(
      "probe.yaml",
      `apiVersion: v1
kind: Pod
metadata: {name: probed}
spec:
  initContainers:
  - {name: setup, image: busybox, command: [sh, -c, "sleep 2"]}
  containers:
  - name: web
    image: nginx
    readinessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 3, periodSeconds: 1}
`,
    );
    expect(k.kubectl(["apply", "-f", file]).code).toBe(0);
    await waitFor(() => pod("probed").status.initContainerStatuses?.length === 1, 30_000, "init status");
    const w = k.kubectl(["wait", "--for=condition=Ready", "pod/probed", "--timeout=60s"]);
    expect(w.code, w.stderr).toBe(0);
    const s = pod("probed").status;
    expect(s.initContainerStatuses[0].state.terminated.reason).toBe("Completed");
    const started = Date.parse(s.containerStatuses[0].state.running.startedAt);
    const ready = Date.parse(
      s.conditions.find((c: { type: string }) => c.type === "Ready").lastTransitionTime,
    );
    expect(ready - started).toBeGreaterThanOrEqual(3000);
  });

  it("deletes gracefully: Terminating until the containers stop, then gone", async () => {
    const r = k.kubectl(["run", "slow", "--image=nginx", "--annotations=kumulus.io/stop-seconds=3"]);
    expect(r.code, r.stderr).toBe(0);
    expect(k.kubectl(["wait", "--for=condition=Ready", "pod/slow", "--timeout=60s"]).code).toBe(0);
    expect(k.kubectl(["delete", "pod", "slow", "--wait=false"]).code).toBe(0);
    const marked = pod("slow");
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(column("slow")).toContain("Terminating");
    await waitFor(() => k.kubectl(["get", "pod", "slow"]).code !== 0, 60_000, "the pod to go");
    const killing = k.kubectl([
      "get",
      "events",
      "--field-selector",
      "involvedObject.name=slow,reason=Killing",
    ]);
    expect(killing.stdout).toContain("Stopping container slow");
    // --force --grace-period=0 removes a pod at once.
    expect(k.kubectl(["run", "gone", "--image=nginx"]).code).toBe(0);
    expect(k.kubectl(["wait", "--for=condition=Ready", "pod/gone", "--timeout=60s"]).code).toBe(0);
    const f = k.kubectl(["delete", "pod", "gone", "--force", "--grace-period=0"]);
    expect(f.code, f.stderr).toBe(0);
    expect(k.kubectl(["get", "pod", "gone"]).code).not.toBe(0);
  });
});
