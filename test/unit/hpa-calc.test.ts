import { describe, expect, it } from "vitest";
import { containerUsages, formatCpu, formatMemory } from "../../lib/api/usage.ts";
import { normalize, replicasFor } from "../../lib/controllers/hpa-calc.ts";

const util = (value: number) => ({ type: "Utilization" as const, value });

describe("simulated usage", () => {
  it("uses the knobs, else 10% cpu / 30% memory of requests", () => {
    const pod = (annotations?: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", annotations },
      spec: {
        containers: [
          { name: "a", resources: { requests: { cpu: "200m", memory: "100Mi" } } },
          { name: "b", resources: { limits: { cpu: "1" } } },
          { name: "c" },
        ],
      },
    });
    const u = containerUsages(pod() as any);
    expect(u.map((c) => formatCpu(c.cpu))).toEqual(["20m", "100m", "1m"]);
    expect(u.map((c) => formatMemory(c.memory))).toEqual(["30720Ki", "8192Ki", "8192Ki"]);
    const k = containerUsages(pod({ "kumulus.io/cpu": "400m", "kumulus.io/memory": "64Mi" }) as any);
    expect(k.every((c) => c.cpu === 400_000_000 && c.memory === 64 * 1024 * 1024)).toBe(true);
    expect(formatCpu(12_345)).toBe("12345n");
  });
});

describe("replicasFor", () => {
  it("scales by the usage ratio with a 10% tolerance", () => {
    expect(replicasFor(1, [{ usage: 200, request: 100 }], util(50)).replicas).toBe(4);
    expect(
      replicasFor(
        2,
        [
          { usage: 52, request: 100 },
          { usage: 52, request: 100 },
        ],
        util(50),
      ).replicas,
    ).toBe(2);
    const r = replicasFor(4, Array(4).fill({ usage: 20, request: 100 }), util(50));
    expect(r).toMatchObject({ replicas: 2, utilization: 20 });
  });

  it("counts pods without metrics as 0 on scale-up and as the target on scale-down", () => {
    const starting = [{ usage: 200, request: 100 }, { request: 100 }];
    expect(replicasFor(2, starting, util(50)).replicas).toBe(4);
    const down = [{ usage: 10, request: 100 }, { request: 100 }, { request: 100 }];
    expect(replicasFor(3, down, util(50)).replicas).toBe(3);
  });

  it("supports AverageValue and refuses pods without requests for Utilization", () => {
    expect(
      replicasFor(
        2,
        [
          { usage: 300, request: 0 },
          { usage: 300, request: 0 },
        ],
        { type: "AverageValue", value: 100 },
      ).replicas,
    ).toBe(6);
    expect(() => replicasFor(1, [{ usage: 1, request: 0 }], util(50))).toThrow(/missing request/);
  });
});

describe("normalize", () => {
  const base = { now: 1000, min: 1, max: 10, recommendations: [], events: [] };

  it("holds a scale-down for the stabilization window", () => {
    const held = normalize({ ...base, current: 4, desired: 1, recommendations: [{ t: 990, replicas: 4 }] });
    expect(held.replicas).toBe(4);
    const later = normalize({
      ...base,
      current: 4,
      desired: 1,
      behavior: { scaleDown: { stabilizationWindowSeconds: 15 } },
      recommendations: [{ t: 980, replicas: 4 }],
    });
    expect(later.replicas).toBe(1);
  });

  it("limits scale-up by the default policies and clamps to min/max", () => {
    expect(normalize({ ...base, current: 1, desired: 9 })).toMatchObject({
      replicas: 5,
      limitedReason: "ScaleUpLimit",
    });
    expect(normalize({ ...base, current: 2, desired: 20, max: 3 })).toMatchObject({
      replicas: 3,
      limitedReason: "TooManyReplicas",
    });
    const after = normalize({ ...base, current: 5, desired: 9, events: [{ t: 995, change: 4 }] });
    expect(after.replicas).toBe(5);
    expect(normalize({ ...base, current: 1, desired: 0, min: 1 }).replicas).toBe(1);
  });
});
