import { describe, expect, it } from "vitest";
import { formatAmount, missingForPod, sourceOf, usageOf } from "../../lib/api/quota.ts";
import { applyDefaults, effectiveItem, violations } from "../../lib/apiserver/admission/limitrange.ts";
import { containerRun, logLines, selectLines } from "../../lib/apiserver/logs.ts";

const pod = (containers: any[], extra: any = {}): any => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "x", uid: "u1" },
  spec: { nodeName: "n1", containers },
  ...extra,
});

describe("quota usage", () => {
  it("counts pods, requests and limits, and skips terminal pods", () => {
    const p = pod([
      { name: "a", resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "1" } } },
      { name: "b", resources: { limits: { cpu: "500m" } } },
    ]);
    expect(usageOf("", "pods", p)).toMatchObject({
      pods: 1,
      "count/pods": 1,
      "requests.cpu": 750,
      cpu: 750,
      "limits.cpu": 1500,
      "requests.memory": 64 * 1024 * 1024,
    });
    expect(usageOf("", "pods", { ...p, status: { phase: "Succeeded" } })).toEqual({});
    expect(usageOf("apps", "deployments", p)).toEqual({ "count/deployments.apps": 1 });
    expect(sourceOf("count/deployments.apps")).toEqual({ group: "apps", plural: "deployments" });
    expect(sourceOf("requests.cpu")).toEqual({ group: "", plural: "pods" });
    expect(formatAmount("requests.cpu", 1000)).toBe("1");
    expect(formatAmount("requests.cpu", 900)).toBe("900m");
    expect(formatAmount("requests.memory", 64 * 1024 * 1024)).toBe("64Mi");
    expect(missingForPod(pod([{ name: "a" }]), { "requests.cpu": "1", pods: "3" })).toEqual(["requests.cpu"]);
  });
});

describe("LimitRange", () => {
  it("defaults requests and limits and reports violations in kube's words", () => {
    const items = [
      effectiveItem({ type: "Container", max: { cpu: "1" }, defaultRequest: { memory: "64Mi" } }),
    ];
    const p = pod([{ name: "a" }, { name: "b", resources: { limits: { cpu: "2" } } }]);
    applyDefaults(p, items);
    expect(p.spec.containers[0].resources).toEqual({
      limits: { cpu: "1" },
      requests: { cpu: "1", memory: "64Mi" },
    });
    expect(p.spec.containers[1].resources.requests.cpu).toBe("2");
    expect(violations(p, items)).toEqual(["maximum cpu usage per Container is 1, but limit is 2"]);
  });
});

describe("pod logs", () => {
  const running = (startedAt: string) =>
    pod([{ name: "app", image: "nginx:1.27" }], {
      status: { containerStatuses: [{ name: "app", state: { running: { startedAt } } }] },
    });

  it("gives deterministic lines and kube's errors", () => {
    const p = running("2026-12-02T01:00:00Z");
    const run = containerRun(p, null, false);
    const lines = logLines(p, run, Date.parse("2026-12-02T01:00:25Z"));
    expect(lines.map((l) => l.text)[0]).toBe("2026-12-02T01:00:00Z app started (image nginx:1.27)");
    expect(lines).toHaveLength(3);
    const q = new URLSearchParams("tailLines=1&timestamps=true");
    expect(selectLines(lines, q, Date.parse("2026-12-02T01:00:25Z"))[0]).toMatch(
      /^2026-12-02T01:00:20\.000000000Z 2026-12-02T01:00:20Z app heartbeat 2 /,
    );
    const waiting = pod([{ name: "app", image: "x" }]);
    expect(() => containerRun(waiting, null, false)).toThrow(
      'container "app" in pod "x" is waiting to start: ContainerCreating',
    );
    expect(() => containerRun(pod([{ name: "a" }, { name: "b" }]), null, false)).toThrow(
      "a container name must be specified for pod x, choose one of: [a b]",
    );
    expect(() => containerRun(p, null, true)).toThrow(/previous terminated container "app"/);
  });
});
