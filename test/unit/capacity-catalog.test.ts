import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  allocatableOf,
  capacityOf,
  instanceType,
  instanceTypeLabels,
  instanceTypes,
  requireInstanceType,
} from "../../lib/capacity/catalog.ts";

// The instance catalog carried over from the reference data: every type typed and complete, and the
// Kubernetes resources and labels a type implies, as Karpenter computes them.

const DATA = path.resolve(import.meta.dirname, "../../lib/capacity/catalog-data.json");

describe("instance catalog", () => {
  it("has every priced type once, with complete, plausible fields", () => {
    const all = instanceTypes();
    expect(all).toHaveLength(1345);
    expect(new Set(all.map((t) => t.name)).size).toBe(all.length);
    expect(new Set(all.map((t) => t.family)).size).toBeGreaterThan(160);
    for (const t of all) {
      expect(`${t.family}.${t.size}`).toBe(t.name);
      expect(t.name.startsWith(t.category)).toBe(true);
      expect(Number.isInteger(t.generation) && t.generation > 0, t.name).toBe(true);
      expect(["amd64", "arm64"]).toContain(t.arch);
      expect(t.vcpu).toBeGreaterThan(0);
      expect(t.memoryMiB).toBeGreaterThan(0);
      expect(t.onDemandUSDPerHour, t.name).toBeGreaterThan(0);
      expect(t.maxPods).toBe(t.allocatable.pods);
      expect(t.allocatable.cpuMilli).toBeLessThan(t.vcpu * 1000);
      expect(t.allocatable.memoryMiB).toBeLessThan(t.memoryMiB);
      expect(t.allocatable.ephemeralStorageGiB).toBe(17);
      expect(Object.isFrozen(t)).toBe(true);
    }
    expect(all.filter((t) => t.arch === "arm64").length).toBeGreaterThan(350);
    expect(all.filter((t) => t.bareMetal).length).toBe(141);
    expect(all.filter((t) => t.allocatable.nvidiaGPU).length).toBe(59);
  });

  it("agrees with Karpenter's AL2023 allocatable model for every type", () => {
    // kube-reserved cpu: 6 % of the first core, 1 % of the second, 0.5 % of the 3rd–4th, 0.25 % of the rest.
    const reservedMilli = (v: number) =>
      Array.from({ length: v }, (_, c): number => (c === 0 ? 60 : c === 1 ? 10 : c < 4 ? 5 : 2.5)).reduce(
        (a, b) => a + b,
      );
    for (const t of instanceTypes()) {
      expect(t.allocatable.cpuMilli, t.name).toBe(t.vcpu * 1000 - reservedMilli(t.vcpu));
      // memory: capacity − (11 MiB × pods + 255 MiB) kube-reserved − 100 MiB eviction threshold.
      const capacityMiB = Number.parseInt(capacityOf(t).memory, 10);
      expect(t.allocatable.memoryMiB, t.name).toBe(capacityMiB - (11 * t.maxPods + 255) - 100);
    }
  });

  it("looks types up by name and leaves out the ones without a us-east-1 price", () => {
    const m5 = instanceType("m5.large")!;
    expect(m5).toMatchObject({
      family: "m5",
      category: "m",
      generation: 5,
      size: "large",
      vcpu: 2,
      memoryMiB: 8192,
      arch: "amd64",
      maxPods: 29,
      onDemandUSDPerHour: 0.096,
      bareMetal: false,
      allocatable: { cpuMilli: 1930, memoryMiB: 6903, ephemeralStorageGiB: 17, pods: 29 },
    });
    expect(instanceType("m5.metal")?.bareMetal).toBe(true);
    expect(instanceType("u-6tb1.56xlarge")).toMatchObject({ family: "u-6tb1", category: "u", generation: 1 });
    expect(instanceType("t4g.nano")).toMatchObject({ arch: "arm64", maxPods: 4, onDemandUSDPerHour: 0.0042 });
    for (const gone of ["x8aedz.large", "hpc7a.96xlarge", "p5e.48xlarge", "trn2.48xlarge", "m5.huge"])
      expect(instanceType(gone), gone).toBeUndefined();
    expect(() => requireInstanceType("m5.huge")).toThrow(/unknown instance type "m5.huge"/);
  });

  it("gives capacity and allocatable as Kubernetes quantities", () => {
    const m5 = requireInstanceType("m5.large");
    expect(capacityOf(m5)).toEqual({ cpu: "2", memory: "7577Mi", "ephemeral-storage": "20Gi", pods: "29" });
    expect(allocatableOf(m5)).toEqual({
      cpu: "1930m",
      memory: "6903Mi",
      "ephemeral-storage": "17Gi",
      pods: "29",
    });
    // arm64 loses 64 MiB more (a1.medium: 940m / 1392Mi / 8 pods in Karpenter's table).
    const a1 = requireInstanceType("a1.medium");
    expect(capacityOf(a1).memory).toBe("1835Mi");
    expect(allocatableOf(a1)).toMatchObject({ cpu: "940m", memory: "1392Mi", pods: "8" });
    const p4d = requireInstanceType("p4d.24xlarge");
    expect(capacityOf(p4d)["nvidia.com/gpu"]).toBe("8");
    expect(allocatableOf(p4d)["nvidia.com/gpu"]).toBe("8");
    expect(allocatableOf(requireInstanceType("inf2.xlarge"))["aws.amazon.com/neuron"]).toBe("1");
    expect(allocatableOf(requireInstanceType("g4ad.xlarge"))["amd.com/gpu"]).toBe("1");
    expect(allocatableOf(m5)["nvidia.com/gpu"]).toBeUndefined();
  });

  it("implies the well-known and Karpenter labels of a type", () => {
    expect(instanceTypeLabels(requireInstanceType("m7i.2xlarge"))).toEqual({
      "node.kubernetes.io/instance-type": "m7i.2xlarge",
      "beta.kubernetes.io/instance-type": "m7i.2xlarge",
      "kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/arch": "amd64",
      "kubernetes.io/os": "linux",
      "beta.kubernetes.io/os": "linux",
      "karpenter.k8s.aws/instance-family": "m7i",
      "karpenter.k8s.aws/instance-category": "m",
      "karpenter.k8s.aws/instance-generation": "7",
      "karpenter.k8s.aws/instance-size": "2xlarge",
      "karpenter.k8s.aws/instance-cpu": "8",
      "karpenter.k8s.aws/instance-memory": "32768",
    });
    const g5 = instanceTypeLabels(requireInstanceType("g5.xlarge"));
    expect(g5["karpenter.k8s.aws/instance-gpu-count"]).toBe("1");
    expect(g5["karpenter.k8s.aws/instance-gpu-name"]).toBe("a10g");
    expect(instanceTypeLabels(requireInstanceType("c7g.large"))["kubernetes.io/arch"]).toBe("arm64");
  });

  it("keeps the data file compact and in the documented columns", () => {
    expect(statSync(DATA).size).toBeLessThan(400_000);
    const data = JSON.parse(readFileSync(DATA, "utf8"));
    expect(data.columns).toEqual([
      "name",
      "category",
      "generation",
      "vcpu",
      "memoryMiB",
      "arch",
      "maxPods",
      "onDemandUSDPerHour",
      "allocatableCpuMilli",
      "allocatableMemoryMiB",
    ]);
    for (const name of [...data.bareMetal, ...Object.keys(data.accelerators)])
      expect(instanceType(name), name).toBeDefined();
  });
});
