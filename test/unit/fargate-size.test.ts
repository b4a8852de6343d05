import { describe, expect, it } from "vitest";
import { capacityProvisioned, fargateSizeOf, podRequest } from "../../lib/capacity/fargate-size.ts";
import { fargatePrice } from "../../lib/capacity/pricing.ts";

const pod = (containers: [string, string][], init: [string, string][] = []) => ({
  containers: containers.map(([cpu, memory]) => ({ resources: { requests: { cpu, memory } } })),
  initContainers: init.map(([cpu, memory]) => ({ resources: { requests: { cpu, memory } } })),
});

describe("Fargate pod sizing", () => {
  it("gives a pod without requests the smallest size", () => {
    const size = fargateSizeOf({ containers: [{}] })!;
    expect(capacityProvisioned(size)).toBe("0.25vCPU 0.5GB");
  });

  it("adds 256 MB and rounds up: 1 vCPU / 8 GB becomes 2 vCPU / 9 GB (the docs' example)", () => {
    expect(capacityProvisioned(fargateSizeOf(pod([["1", "8Gi"]]))!)).toBe("2vCPU 9GB");
  });

  it("rounds memory up within a vCPU size", () => {
    // 0.5 vCPU, 1 GiB + 256 MiB = 1.25 GB → the 0.5 vCPU size's 2 GB option.
    expect(capacityProvisioned(fargateSizeOf(pod([["500m", "1Gi"]]))!)).toBe("0.5vCPU 2GB");
    // 256 MiB + 256 MiB fits 0.25 vCPU / 0.5 GB exactly.
    expect(capacityProvisioned(fargateSizeOf(pod([["250m", "256Mi"]]))!)).toBe("0.25vCPU 0.5GB");
    // A bit more no longer does.
    expect(capacityProvisioned(fargateSizeOf(pod([["250m", "300Mi"]]))!)).toBe("0.25vCPU 1GB");
  });

  it("rounds CPU up to the next vCPU size", () => {
    expect(capacityProvisioned(fargateSizeOf(pod([["300m", "512Mi"]]))!)).toBe("0.5vCPU 1GB");
    expect(capacityProvisioned(fargateSizeOf(pod([["3", "2Gi"]]))!)).toBe("4vCPU 8GB");
    expect(capacityProvisioned(fargateSizeOf(pod([["8", "40Gi"]]))!)).toBe("8vCPU 44GB");
  });

  it("sums regular containers and takes the larger of that and the biggest init container", () => {
    expect(
      podRequest(
        pod([
          ["250m", "512Mi"],
          ["250m", "512Mi"],
        ]),
      ),
    ).toEqual({ vcpu: 0.5, memoryGB: 1 });
    const withInit = pod(
      [["250m", "512Mi"]],
      [
        ["2", "256Mi"],
        ["100m", "3Gi"],
      ],
    );
    expect(podRequest(withInit)).toEqual({ vcpu: 2, memoryGB: 3 });
    expect(capacityProvisioned(fargateSizeOf(withInit)!)).toBe("2vCPU 4GB");
  });

  it("counts a limit alone as the request", () => {
    const spec = { containers: [{ resources: { limits: { cpu: "1", memory: "2Gi" } } }] };
    expect(capacityProvisioned(fargateSizeOf(spec)!)).toBe("1vCPU 3GB");
  });

  it("has no size for a pod larger than Fargate's largest configuration", () => {
    expect(fargateSizeOf(pod([["17", "1Gi"]]))).toBeUndefined();
    expect(fargateSizeOf(pod([["16", "120Gi"]]))).toBeUndefined();
    expect(capacityProvisioned(fargateSizeOf(pod([["16", "119Gi"]]))!)).toBe("16vCPU 120GB");
  });

  it("prices the provisioned size per vCPU-hour and GB-hour", () => {
    expect(fargatePrice({ vcpu: 0.25, memoryGB: 0.5 })).toBeCloseTo(0.0123425, 6);
  });
});
