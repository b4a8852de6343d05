import { describe, expect, it } from "vitest";
import { applyPatch, PatchError, updateManagedFields } from "../../lib/api/patch/index.ts";
import type { KubeObject } from "../../lib/api/types.ts";

const deploy = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", finalizers: ["a"] },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          {
            name: "nginx",
            image: "nginx:1.27",
            env: [{ name: "A", value: "1" }],
            ports: [{ containerPort: 80, protocol: "TCP" }],
          },
          { name: "sidecar", image: "busybox" },
        ],
        volumes: [{ name: "data", emptyDir: {} }],
      },
    },
  },
});
const opts = { strategic: true };
const containers = (o: KubeObject) => (o.spec as any).template.spec.containers;

describe("strategic merge patch", () => {
  it("merges containers, env and ports by key", () => {
    const out = applyPatch(
      deploy(),
      JSON.stringify({
        spec: {
          template: {
            spec: { containers: [{ name: "nginx", image: "nginx:1.28", env: [{ name: "B", value: "2" }] }] },
          },
        },
      }),
      "strategic",
      opts,
    );
    expect(containers(out)).toHaveLength(2);
    expect(containers(out)[0].image).toBe("nginx:1.28");
    expect(containers(out)[0].env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(containers(out)[0].ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
  });

  it("deletes list elements with $patch: delete and orders by $setElementOrder", () => {
    const patch = {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "sidecar" }, { name: "nginx" }],
            containers: [{ name: "x", $patch: "delete" }],
          },
        },
      },
    };
    const out = applyPatch(deploy(), JSON.stringify(patch), "strategic", opts);
    expect(containers(out).map((c: any) => c.name)).toEqual(["sidecar", "nginx"]);
    const del = applyPatch(
      deploy(),
      JSON.stringify({
        spec: { template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } } },
      }),
      "strategic",
      opts,
    );
    expect(containers(del).map((c: any) => c.name)).toEqual(["nginx"]);
  });

  it("honours $retainKeys and $deleteFromPrimitiveList", () => {
    const out = applyPatch(
      deploy(),
      JSON.stringify({
        spec: {
          template: {
            spec: {
              volumes: [{ name: "data", $retainKeys: ["name", "hostPath"], hostPath: { path: "/x" } }],
            },
          },
        },
      }),
      "strategic",
      opts,
    );
    expect((out.spec as any).template.spec.volumes).toEqual([{ name: "data", hostPath: { path: "/x" } }]);
    const fin = applyPatch(
      deploy(),
      JSON.stringify({ metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }),
      "strategic",
      opts,
    );
    expect(fin.metadata.finalizers).toEqual([]);
  });

  it("is refused for custom resources", () => {
    expect(() => applyPatch(deploy(), "{}", "strategic", { strategic: false })).toThrow(PatchError);
  });
});

describe("merge and JSON patch", () => {
  it("deletes with null and replaces lists", () => {
    const out = applyPatch(
      deploy(),
      JSON.stringify({ spec: { replicas: null, template: { spec: { volumes: [] } } } }),
      "merge",
      opts,
    );
    expect((out.spec as any).replicas).toBeUndefined();
    expect((out.spec as any).template.spec.volumes).toEqual([]);
  });
  it("applies JSON patch and reports a failed test", () => {
    const out = applyPatch(
      deploy(),
      JSON.stringify([{ op: "replace", path: "/spec/replicas", value: 3 }]),
      "json",
      opts,
    );
    expect((out.spec as any).replicas).toBe(3);
    expect(() =>
      applyPatch(deploy(), JSON.stringify([{ op: "test", path: "/spec/replicas", value: 9 }]), "json", opts),
    ).toThrow(/test operation failed/);
  });
});

describe("server-side apply", () => {
  const applied = (image: string, extra: Record<string, unknown> = {}) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: nginx\n        image: ${image}\n${Object.entries(
      extra,
    )
      .map(([k, v]) => `  ${k}: ${v}\n`)
      .join("")}`;

  it("creates, records managedFields with k: keys, and removes fields it stops applying", () => {
    const created = applyPatch(undefined, applied("nginx:1", { minReadySeconds: 5 }), "apply", {
      ...opts,
      fieldManager: "me",
    });
    const mf = created.metadata.managedFields![0];
    expect(mf).toMatchObject({ manager: "me", operation: "Apply", apiVersion: "apps/v1" });
    expect(JSON.stringify(mf.fieldsV1)).toContain('k:{\\"name\\":\\"nginx\\"}');
    const again = applyPatch(created, applied("nginx:2"), "apply", { ...opts, fieldManager: "me" });
    expect((again.spec as any).minReadySeconds).toBeUndefined();
    expect(containers(again)[0].image).toBe("nginx:2");
  });

  it("conflicts with another manager's field unless forced", () => {
    const created = applyPatch(undefined, applied("nginx:1"), "apply", { ...opts, fieldManager: "me" });
    const scaled = applyPatch(created, JSON.stringify({ spec: { replicas: 5 } }), "merge", opts);
    updateManagedFields(created, scaled, "kubectl-scale", "Update");
    let err: unknown;
    try {
      applyPatch(scaled, applied("nginx:1"), "apply", { ...opts, fieldManager: "me" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatchError);
    expect((err as PatchError).code).toBe(409);
    expect((err as PatchError).message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
    );
    const forced = applyPatch(scaled, applied("nginx:1"), "apply", {
      ...opts,
      fieldManager: "me",
      force: true,
    });
    expect((forced.spec as any).replicas).toBe(2);
    expect(forced.metadata.managedFields!.map((m) => m.manager)).toEqual(["me"]);
  });
});
