import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import { priorityAdmission } from "../../lib/apiserver/admission/priority.ts";
import type { ResourceContext } from "../../lib/apiserver/context.ts";

// The Priority admission plugin with an in-memory stand-in for the store.

let n = 0;
function ctx(plural: string, classes: KubeObject[]): ResourceContext {
  const group = plural === "pods" ? "" : "scheduling.k8s.io";
  return {
    cluster: `prio-${++n}`,
    kind: { group, plural },
    store: {
      get: async (k: { name: string }) => classes.find((c) => c.metadata.name === k.name),
      listItems: async () => classes,
    },
  } as unknown as ResourceContext;
}

const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "scheduling.k8s.io/v1",
  kind: "PriorityClass",
  metadata: { name },
  value,
  ...extra,
});
const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default" },
  spec: { containers: [], ...spec },
});

describe("Priority admission", () => {
  it("resolves a class name to its value and preemption policy", async () => {
    const p = pod({ priorityClassName: "high" });
    await priorityAdmission(ctx("pods", [pc("high", 1000, { preemptionPolicy: "Never" })]), "CREATE", p);
    expect(p.spec).toMatchObject({ priority: 1000, preemptionPolicy: "Never" });
  });

  it("knows the system classes", async () => {
    const p = pod({ priorityClassName: "system-node-critical" });
    await priorityAdmission(ctx("pods", []), "CREATE", p);
    expect(p.spec).toMatchObject({ priority: 2000001000 });
  });

  it("defaults from the globalDefault class, else 0", async () => {
    const p = pod();
    await priorityAdmission(ctx("pods", [pc("a", 5), pc("d", 7, { globalDefault: true })]), "CREATE", p);
    expect(p.spec).toMatchObject({ priority: 7, priorityClassName: "d" });
    const q = pod();
    await priorityAdmission(ctx("pods", []), "CREATE", q);
    expect(q.spec).toMatchObject({ priority: 0 });
  });

  it("rejects an unknown class like kube-apiserver", async () => {
    await expect(
      priorityAdmission(ctx("pods", []), "CREATE", pod({ priorityClassName: "x" })),
    ).rejects.toMatchObject({
      code: 403,
      message: 'pods "p" is forbidden: no PriorityClass with name x was found',
    });
  });

  it("reserves the system- prefix and values above one billion", async () => {
    await expect(
      priorityAdmission(ctx("priorityclasses", []), "CREATE", pc("system-x", 1)),
    ).rejects.toMatchObject({
      code: 422,
    });
    await expect(
      priorityAdmission(ctx("priorityclasses", []), "CREATE", pc("big", 2e9)),
    ).rejects.toMatchObject({
      code: 422,
    });
  });
});
