import { describe, expect, it } from "vitest";
import { applyPatch, PatchError, patchTypeFromContentType } from "../../lib/api/patch/index.ts";
import type { KubeObject } from "../../lib/api/types.ts";

const deploy = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels: { app: "web" }, finalizers: ["a"] },
  spec: {
    replicas: 1,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          {
            name: "nginx",
            image: "nginx:1.26",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            ports: [{ containerPort: 80, protocol: "TCP" }],
          },
          { name: "sidecar", image: "busybox" },
        ],
        volumes: [{ name: "data", emptyDir: {} }],
        tolerations: [{ key: "k1", operator: "Exists" }],
      },
    },
  },
});
const opts = { strategic: true };
const podSpec = (o: KubeObject) => (o.spec as any).template.spec;
const containers = (o: KubeObject) => podSpec(o).containers;
const smp = (live: KubeObject, patch: unknown) => applyPatch(live, JSON.stringify(patch), "strategic", opts);
const thrown = (f: () => unknown): PatchError => {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error("expected a PatchError");
};

describe("patchTypeFromContentType", () => {
  it.each([
    ["application/json-patch+json", "json"],
    ["application/merge-patch+json; charset=utf-8", "merge"],
    ["application/strategic-merge-patch+json", "strategic"],
    ["application/apply-patch+yaml", "apply"],
    ["application/apply-patch+json", "apply"],
    ["application/json", undefined],
  ])("%s", (ct, type) => expect(patchTypeFromContentType(ct)).toBe(type));
});

describe("strategic merge patch", () => {
  it("applies kubectl apply's second-apply image change", () => {
    const live = deploy();
    const lastApplied = JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment" });
    const out = smp(live, {
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": `${lastApplied}\n` } },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "nginx" }, { name: "sidecar" }],
            containers: [{ image: "nginx:1.27", name: "nginx" }],
          },
        },
      },
    });
    expect(containers(out).map((c: any) => [c.name, c.image])).toEqual([
      ["nginx", "nginx:1.27"],
      ["sidecar", "busybox"],
    ]);
    expect(containers(out)[0].env).toHaveLength(2);
    expect(out.metadata.annotations!["kubectl.kubernetes.io/last-applied-configuration"]).toBe(
      `${lastApplied}\n`,
    );
    expect(out.metadata.labels).toEqual({ app: "web" });
    // The live object is untouched.
    expect(containers(live)[0].image).toBe("nginx:1.26");
    expect(live.metadata.annotations).toBeUndefined();
  });

  it("merges containers, env and ports by key (kubectl set image / kubectl patch)", () => {
    const out = smp(deploy(), {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "nginx",
                env: [
                  { name: "B", value: "two" },
                  { name: "C", value: "3" },
                ],
                ports: [
                  { containerPort: 80, name: "http" },
                  { containerPort: 443, protocol: "TCP" },
                ],
              },
            ],
          },
        },
      },
    });
    const nginx = containers(out)[0];
    expect(containers(out)).toHaveLength(2);
    expect(nginx.image).toBe("nginx:1.26");
    // Patch items take the patch's order; items the patch does not mention keep their live position.
    expect(nginx.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "two" },
      { name: "C", value: "3" },
    ]);
    expect(nginx.ports).toEqual([
      { containerPort: 80, protocol: "TCP", name: "http" },
      { containerPort: 443, protocol: "TCP" },
    ]);
  });

  it("puts new list items in front of items the patch does not mention, as the apiserver does", () => {
    const out = smp(deploy(), {
      spec: { template: { spec: { containers: [{ name: "redis", image: "redis" }] } } },
    });
    expect(containers(out).map((c: any) => c.name)).toEqual(["redis", "nginx", "sidecar"]);
  });

  it("removes a container kubectl apply dropped ($setElementOrder + $patch: delete)", () => {
    const out = smp(deploy(), {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "nginx" }],
            containers: [{ $patch: "delete", name: "sidecar" }],
          },
        },
      },
    });
    expect(containers(out).map((c: any) => c.name)).toEqual(["nginx"]);
  });

  it("orders by $setElementOrder, adding and deleting in one patch", () => {
    const out = smp(deploy(), {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "sidecar" }, { name: "init" }, { name: "nginx" }],
            containers: [{ name: "init", image: "alpine" }],
          },
        },
      },
    });
    expect(containers(out).map((c: any) => c.name)).toEqual(["sidecar", "init", "nginx"]);
    const env = smp(deploy(), {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "nginx" }, { name: "sidecar" }],
            containers: [
              {
                "$setElementOrder/env": [{ name: "C" }, { name: "A" }],
                env: [
                  { name: "C", value: "3" },
                  { $patch: "delete", name: "B" },
                ],
                name: "nginx",
              },
            ],
          },
        },
      },
    });
    expect(containers(env)[0].env.map((e: any) => e.name)).toEqual(["C", "A"]);
  });

  it("rejects a patch list that contradicts its $setElementOrder", () => {
    const err = thrown(() =>
      smp(deploy(), {
        spec: {
          template: {
            spec: {
              "$setElementOrder/containers": [{ name: "nginx" }],
              containers: [{ name: "other", image: "x" }],
            },
          },
        },
      }),
    );
    expect(err.code).toBe(400);
  });

  it("handles $patch: replace in lists and maps, and $patch: delete in maps", () => {
    const list = smp(deploy(), {
      spec: { template: { spec: { containers: [{ $patch: "replace" }, { name: "only", image: "x" }] } } },
    });
    expect(containers(list)).toEqual([{ name: "only", image: "x" }]);
    const map = smp(deploy(), { metadata: { labels: { $patch: "replace", tier: "web" } } });
    expect(map.metadata.labels).toEqual({ tier: "web" });
    const del = smp(deploy(), { spec: { strategy: { $patch: "delete" } } });
    expect((del.spec as any).strategy).toBeUndefined();
    const merge = smp(deploy(), { metadata: { labels: { $patch: "merge", tier: "web" } } });
    expect(merge.metadata.labels).toEqual({ app: "web", tier: "web" });
  });

  it("honours $retainKeys (deployment strategy, volume source switch)", () => {
    const strategy = smp(deploy(), {
      spec: { strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" } },
    });
    expect((strategy.spec as any).strategy).toEqual({ type: "Recreate" });
    const vol = smp(deploy(), {
      spec: {
        template: {
          spec: {
            "$setElementOrder/volumes": [{ name: "data" }],
            volumes: [{ $retainKeys: ["configMap", "name"], configMap: { name: "cfg" }, name: "data" }],
          },
        },
      },
    });
    expect(podSpec(vol).volumes).toEqual([{ name: "data", configMap: { name: "cfg" } }]);
    const bad = thrown(() =>
      smp(deploy(), { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: { maxSurge: 1 } } } }),
    );
    expect(bad.code).toBe(400);
    expect(bad.message).toBe("invalid patch format of retainKeys");
  });

  it("merges finalizers as a set and honours $deleteFromPrimitiveList", () => {
    const add = smp(deploy(), { metadata: { finalizers: ["b", "a"] } });
    expect(add.metadata.finalizers).toEqual(["b", "a"]);
    const ordered = smp(deploy(), {
      metadata: { "$setElementOrder/finalizers": ["a", "b"], finalizers: ["b"] },
    });
    expect(ordered.metadata.finalizers).toEqual(["a", "b"]);
    const twoLive = { ...deploy(), metadata: { ...deploy().metadata, finalizers: ["a", "b"] } };
    const removed = smp(twoLive, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } });
    expect(removed.metadata.finalizers).toEqual(["b"]);
    const none = smp(deploy(), { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } });
    expect(none.metadata.finalizers).toBeUndefined();
  });

  it("replaces lists without a merge key (tolerations, args) and deletes with null", () => {
    const out = smp(deploy(), {
      metadata: { labels: { app: null } },
      spec: {
        template: {
          spec: {
            tolerations: [{ key: "k2", operator: "Exists" }],
            containers: [{ name: "sidecar", args: ["sleep", "1"] }],
          },
        },
      },
    });
    expect(podSpec(out).tolerations).toEqual([{ key: "k2", operator: "Exists" }]);
    expect(containers(out)[1].args).toEqual(["sleep", "1"]);
    expect(out.metadata.labels).toEqual({});
  });

  it("merges service ports by port and keeps a ServiceAccount's imagePullSecrets atomic", () => {
    const svc: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: {
        ports: [
          { name: "http", port: 80, targetPort: 8080, protocol: "TCP" },
          { name: "https", port: 443, targetPort: 8443, protocol: "TCP" },
        ],
      },
    };
    const out = smp(svc, {
      spec: {
        "$setElementOrder/ports": [{ port: 80 }, { port: 443 }],
        ports: [{ port: 443, targetPort: 9443 }],
      },
    });
    expect((out.spec as any).ports.map((p: any) => p.targetPort)).toEqual([8080, 9443]);
    const sa: KubeObject = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "sa" },
      imagePullSecrets: [{ name: "a" }],
    };
    expect(smp(sa, { imagePullSecrets: [{ name: "b" }] }).imagePullSecrets).toEqual([{ name: "b" }]);
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { imagePullSecrets: [{ name: "a" }], containers: [] },
    };
    expect((smp(pod, { spec: { imagePullSecrets: [{ name: "b" }] } }).spec as any).imagePullSecrets).toEqual([
      { name: "b" },
      { name: "a" },
    ]);
  });

  it("rolls out a restart annotation (kubectl rollout restart)", () => {
    const out = smp(deploy(), {
      spec: {
        template: {
          metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z" } },
        },
      },
    });
    expect((out.spec as any).template.metadata).toEqual({
      labels: { app: "web" },
      annotations: { "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z" },
    });
  });

  it("reports a list element without its merge key", () => {
    const err = thrown(() =>
      smp(deploy(), { spec: { template: { spec: { containers: [{ image: "x" }] } } } }),
    );
    expect(err.code).toBe(400);
    expect(err.message).toContain("does not contain declared merge key: name");
  });

  it("is refused for custom resources", () => {
    const err = thrown(() => applyPatch(deploy(), "{}", "strategic", { strategic: false }));
    expect(err.code).toBe(415);
    expect(err.reason).toBe("UnsupportedMediaType");
  });
});

describe("JSON merge patch", () => {
  it("deletes with null, merges maps and replaces lists", () => {
    const live = deploy();
    const out = applyPatch(
      live,
      JSON.stringify({
        metadata: { labels: { tier: "web", app: null } },
        spec: { replicas: null, template: { spec: { volumes: [] } } },
      }),
      "merge",
      opts,
    );
    expect((out.spec as any).replicas).toBeUndefined();
    expect(out.metadata.labels).toEqual({ tier: "web" });
    expect(podSpec(out).volumes).toEqual([]);
    expect(containers(out)).toHaveLength(2);
    expect((live.spec as any).replicas).toBe(1);
  });

  it("rejects a body that is not JSON", () => {
    expect(thrown(() => applyPatch(deploy(), "{", "merge", opts)).code).toBe(400);
  });
});

describe("JSON patch", () => {
  it("applies operations, including a passing test", () => {
    const out = applyPatch(
      deploy(),
      JSON.stringify([
        { op: "test", path: "/spec/replicas", value: 1 },
        { op: "replace", path: "/spec/replicas", value: 3 },
        { op: "add", path: "/metadata/labels/tier", value: "web" },
        { op: "remove", path: "/spec/template/spec/containers/1" },
      ]),
      "json",
      opts,
    );
    expect((out.spec as any).replicas).toBe(3);
    expect(out.metadata.labels).toEqual({ app: "web", tier: "web" });
    expect(containers(out)).toHaveLength(1);
  });

  it("says which operation failed", () => {
    const test = thrown(() =>
      applyPatch(deploy(), JSON.stringify([{ op: "test", path: "/spec/replicas", value: 9 }]), "json", opts),
    );
    expect(test.code).toBe(422);
    expect(test.message).toBe(
      'testing value /spec/replicas failed: test failed (operation 0: {"op":"test","path":"/spec/replicas","value":9})',
    );
    const missing = thrown(() =>
      applyPatch(
        deploy(),
        JSON.stringify([
          { op: "add", path: "/metadata/labels/x", value: "1" },
          { op: "remove", path: "/spec/paused" },
        ]),
        "json",
        opts,
      ),
    );
    expect(missing.code).toBe(422);
    expect(missing.message).toContain('remove operation does not apply: doc is missing path: "/spec/paused"');
    expect(missing.message).toContain("operation 1");
  });

  it("rejects a body that is not an array of operations", () => {
    expect(thrown(() => applyPatch(deploy(), JSON.stringify({ op: "add" }), "json", opts)).code).toBe(400);
    expect(thrown(() => applyPatch(deploy(), "[", "json", opts)).code).toBe(400);
  });
});

describe("strategic merge patch against lists published with coarser patch metadata", () => {
  it("merges by the key $setElementOrder names when the table says atomic", () => {
    const sa: KubeObject = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "sa" },
      imagePullSecrets: [{ name: "a" }, { name: "b" }],
    };
    const out = smp(sa, {
      "$setElementOrder/imagePullSecrets": [{ name: "a" }, { name: "c" }],
      imagePullSecrets: [{ name: "c" }, { $patch: "delete", name: "b" }],
    });
    expect(out.imagePullSecrets).toEqual([{ name: "a" }, { name: "c" }]);
    const ns: KubeObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "n" },
      spec: { finalizers: ["kubernetes"] },
    };
    const fin = smp(ns, { spec: { "$setElementOrder/finalizers": ["kubernetes", "x"], finalizers: ["x"] } });
    expect((fin.spec as any).finalizers).toEqual(["kubernetes", "x"]);
    // Without directives an atomic list is replaced, as in Kubernetes.
    expect(smp(sa, { imagePullSecrets: [{ name: "z" }] }).imagePullSecrets).toEqual([{ name: "z" }]);
  });
});
