import { describe, expect, it } from "vitest";
import { claimInUse, podTerminated } from "../../lib/api/storage-protection.ts";
import type { KubeObject } from "../../lib/api/types.ts";

const claim: KubeObject = {
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data", namespace: "a" },
};

function pod(over: { nodeName?: string; phase?: string; namespace?: string; claim?: string }): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: over.namespace ?? "a" },
    spec: {
      nodeName: over.nodeName,
      volumes: [{ name: "d", persistentVolumeClaim: { claimName: over.claim ?? "data" } }],
    },
    status: { phase: over.phase ?? "Running" },
  } as KubeObject;
}

describe("pvc protection", () => {
  it("counts only scheduled, not terminated pods of the claim's namespace that mount it", () => {
    expect(claimInUse(claim, [pod({ nodeName: "n1" })])).toBe(true);
    expect(claimInUse(claim, [pod({ nodeName: "n1", phase: "Pending" })])).toBe(true);
    expect(claimInUse(claim, [pod({})])).toBe(false);
    expect(claimInUse(claim, [pod({ nodeName: "n1", phase: "Succeeded" })])).toBe(false);
    expect(claimInUse(claim, [pod({ nodeName: "n1", phase: "Failed" })])).toBe(false);
    expect(claimInUse(claim, [pod({ nodeName: "n1", namespace: "b" })])).toBe(false);
    expect(claimInUse(claim, [pod({ nodeName: "n1", claim: "other" })])).toBe(false);
    expect(podTerminated(pod({ phase: "Succeeded" }))).toBe(true);
  });
});
