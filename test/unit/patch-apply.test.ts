import { describe, expect, it } from "vitest";
import { applyPatch, PatchError, updateManagedFields } from "../../lib/api/patch/index.ts";
import type { KubeObject } from "../../lib/api/types.ts";

const now = new Date("2025-01-02T03:04:05.678Z");
const later = new Date("2025-01-02T04:00:00Z");

const config = (
  extra: { image?: string; replicas?: number; minReadySeconds?: number; sidecar?: boolean } = {},
) =>
  [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: web",
    "  labels:",
    "    app: web",
    "spec:",
    ...(extra.replicas !== undefined ? [`  replicas: ${extra.replicas}`] : []),
    ...(extra.minReadySeconds !== undefined ? [`  minReadySeconds: ${extra.minReadySeconds}`] : []),
    "  selector:",
    "    matchLabels:",
    "      app: web",
    "  template:",
    "    metadata:",
    "      labels:",
    "        app: web",
    "    spec:",
    "      containers:",
    "      - name: nginx",
    `        image: ${extra.image ?? "nginx:1.27"}`,
    "        ports:",
    "        - containerPort: 80",
    ...(extra.sidecar ? ["      - name: sidecar", "        image: busybox"] : []),
  ].join("\n");

const apply = (live: KubeObject | undefined, body: string, manager = "kubectl", force = false) =>
  applyPatch(live, body, "apply", { strategic: true, fieldManager: manager, force, now });
const spec = (o: KubeObject) => o.spec as any;
const containers = (o: KubeObject) => spec(o).template.spec.containers;
const thrown = (f: () => unknown): PatchError => {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error("expected a PatchError");
};

describe("server-side apply", () => {
  it("creates the object and records the applied fields in the Kubernetes encoding", () => {
    const created = apply(undefined, config({ replicas: 2 }));
    expect(created).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } });
    expect(spec(created).replicas).toBe(2);
    expect(created.metadata.managedFields).toEqual([
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: "2025-01-02T03:04:05Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"nginx"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": {
                      'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
    // Key order of the encoding: "." first, then fields.
    const item = (created.metadata.managedFields![0].fieldsV1 as any)["f:spec"]["f:template"]["f:spec"][
      "f:containers"
    ]['k:{"name":"nginx"}'];
    expect(Object.keys(item)).toEqual([".", "f:image", "f:name", "f:ports"]);
  });

  it("accepts a JSON body, as kubectl apply --server-side sends", () => {
    const created = apply(
      undefined,
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } }),
    );
    expect(created.data).toEqual({ a: "1" });
    expect(created.metadata.managedFields![0].fieldsV1).toEqual({ "f:data": { "f:a": {} } });
  });

  it("updates, and removes fields the manager applied before but no longer applies", () => {
    const created = apply(undefined, config({ minReadySeconds: 5, sidecar: true }));
    const again = apply(created, config({ image: "nginx:1.28" }));
    expect(spec(again).minReadySeconds).toBeUndefined();
    expect(containers(again).map((c: any) => [c.name, c.image])).toEqual([["nginx", "nginx:1.28"]]);
    expect(again.metadata.managedFields).toHaveLength(1);
    const fields = JSON.stringify(again.metadata.managedFields![0].fieldsV1);
    expect(fields).not.toContain("minReadySeconds");
    expect(fields).not.toContain("sidecar");
    // The live object is never modified.
    expect(spec(created).minReadySeconds).toBe(5);
    expect(containers(created)).toHaveLength(2);
  });

  it("keeps a field it stops applying when another manager also owns it", () => {
    const created = apply(undefined, config({ minReadySeconds: 5 }));
    const shared = apply(created, config({ minReadySeconds: 5 }), "other");
    expect(shared.metadata.managedFields!.map((m) => m.manager)).toEqual(["kubectl", "other"]);
    const again = apply(shared, config());
    expect(spec(again).minReadySeconds).toBe(5);
    expect(JSON.stringify(again.metadata.managedFields![0].fieldsV1)).not.toContain("minReadySeconds");
  });

  it("keeps live items of keyed lists it does not mention and merges labels", () => {
    const created = apply(undefined, config());
    const patched = applyPatch(
      created,
      JSON.stringify({
        metadata: { labels: { team: "a" } },
        spec: { template: { spec: { containers: [{ name: "istio-proxy", image: "envoy" }] } } },
      }),
      "strategic",
      { strategic: true },
    );
    updateManagedFields(created, patched, "injector", "Update", { now });
    const again = apply(patched, config({ image: "nginx:1.28" }));
    expect(again.metadata.labels).toEqual({ app: "web", team: "a" });
    expect(
      containers(again)
        .map((c: any) => c.name)
        .sort(),
    ).toEqual(["istio-proxy", "nginx"]);
    expect(containers(again).find((c: any) => c.name === "nginx").image).toBe("nginx:1.28");
  });

  it("conflicts with a field an Update manager owns, unless forced", () => {
    const created = apply(undefined, config({ replicas: 1 }), "kubectl-client-side-apply");
    // Reset to a client-side-apply style owner: an Update entry holding spec.replicas.
    const live = structuredClone(created);
    delete live.metadata.managedFields;
    updateManagedFields(undefined, live, "kubectl-client-side-apply", "Update", { now });
    const err = thrown(() => apply(live, config({ replicas: 3 })));
    expect(err.code).toBe(409);
    expect(err.reason).toBe("Conflict");
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    expect(err.causes).toEqual([
      {
        reason: "FieldManagerConflict",
        message: 'conflict with "kubectl-client-side-apply" using apps/v1',
        field: ".spec.replicas",
      },
    ]);

    // Applying the same value is no conflict: ownership is shared.
    const same = apply(live, config({ replicas: 1 }));
    expect(spec(same).replicas).toBe(1);
    const csa = same.metadata.managedFields!.find((m) => m.manager === "kubectl-client-side-apply")!;
    expect((csa.fieldsV1 as any)["f:spec"]["f:replicas"]).toEqual({});

    const forced = apply(live, config({ replicas: 3 }), "kubectl", true);
    expect(spec(forced).replicas).toBe(3);
    const other = forced.metadata.managedFields!.find((m) => m.manager === "kubectl-client-side-apply")!;
    expect((other.fieldsV1 as any)["f:spec"]["f:replicas"]).toBeUndefined();
    expect(forced.metadata.managedFields!.map((m) => [m.manager, m.operation])).toEqual([
      ["kubectl", "Apply"],
      ["kubectl-client-side-apply", "Update"],
    ]);
  });

  it("lists several conflicts by manager, and Apply owners without an apiVersion", () => {
    const a = apply(undefined, config({ replicas: 1 }), "alpha");
    const scaled = applyPatch(a, JSON.stringify({ spec: { replicas: 4 } }), "merge", { strategic: true });
    updateManagedFields(a, scaled, "kubectl-scale", "Update", { now, subresource: "scale" });
    const err = thrown(() => apply(scaled, config({ replicas: 2, image: "nginx:2" }), "beta"));
    expect(err.code).toBe(409);
    expect(err.message).toBe(
      [
        'Apply failed with 2 conflicts: conflicts with "alpha":',
        '- .spec.template.spec.containers[name="nginx"].image',
        'conflicts with "kubectl-scale" with subresource "scale" using apps/v1:',
        "- .spec.replicas",
      ].join("\n"),
    );
    expect(err.causes?.map((c) => c.field).sort()).toEqual([
      ".spec.replicas",
      '.spec.template.spec.containers[name="nginx"].image',
    ]);
  });

  it("takes over a container image set by kubectl set image when forced", () => {
    const created = apply(undefined, config());
    const set = applyPatch(
      created,
      JSON.stringify({
        spec: { template: { spec: { containers: [{ image: "nginx:1.29", name: "nginx" }] } } },
      }),
      "strategic",
      { strategic: true },
    );
    updateManagedFields(created, set, "kubectl-set", "Update", { now: later });
    const owners = set.metadata.managedFields!.map((m) => m.manager);
    expect(owners).toEqual(["kubectl", "kubectl-set"]);
    const setEntry = set.metadata.managedFields![1];
    expect(setEntry.fieldsV1).toEqual({
      "f:spec": {
        "f:template": { "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { "f:image": {} } } } },
      },
    });
    // kubectl lost the image to kubectl-set.
    expect(JSON.stringify(set.metadata.managedFields![0].fieldsV1)).not.toContain("f:image");
    const err = thrown(() => apply(set, config()));
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="nginx"].image',
    );
    const forced = apply(set, config(), "kubectl", true);
    expect(containers(forced)[0].image).toBe("nginx:1.27");
    expect(forced.metadata.managedFields!.map((m) => m.manager)).toEqual(["kubectl"]);
  });

  it("records finalizers as a set (v:) and merges them", () => {
    const cm = (fin: string[]) =>
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", finalizers: fin } });
    const a = apply(undefined, cm(["example.com/a"]), "a");
    const b = apply(a, cm(["example.com/b"]), "b");
    expect(b.metadata.finalizers).toEqual(["example.com/a", "example.com/b"]);
    expect(b.metadata.managedFields![1].fieldsV1).toEqual({
      "f:metadata": { "f:finalizers": { 'v:"example.com/b"': {} } },
    });
    const dropped = apply(b, cm([]), "a");
    expect(dropped.metadata.finalizers).toEqual(["example.com/b"]);
  });

  it("manages only status when applying to the status subresource", () => {
    const created = apply(undefined, config());
    const status = applyPatch(
      created,
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nstatus:\n  replicas: 1\n  conditions:\n  - type: Available\n    status: 'True'\n",
      "apply",
      { strategic: true, fieldManager: "controller", subresource: "status", now },
    );
    const entry = status.metadata.managedFields!.find((m) => m.manager === "controller")!;
    expect(entry.subresource).toBe("status");
    expect(entry.fieldsV1).toEqual({
      "f:status": {
        "f:conditions": { 'k:{"type":"Available"}': { ".": {}, "f:status": {}, "f:type": {} } },
        "f:replicas": {},
      },
    });
  });

  it("rejects a configuration that is not for the object, or lacks a manager or list keys", () => {
    const created = apply(undefined, config());
    const kind = thrown(() => apply(created, config().replace("kind: Deployment", "kind: StatefulSet")));
    expect(kind.code).toBe(400);
    expect(thrown(() => apply(created, "metadata:\n  name: web\n")).code).toBe(400);
    expect(thrown(() => applyPatch(created, config(), "apply", { strategic: true, now })).message).toContain(
      "fieldManager",
    );
    const noKey = thrown(() => apply(created, config().replace("- name: nginx", "- nom: nginx")));
    expect(noKey.code).toBe(400);
    expect(noKey.message).toContain('omits key field "name"');
    expect(thrown(() => apply(created, "a: [")).code).toBe(400);
  });
});

describe("updateManagedFields", () => {
  const base = (): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", namespace: "default", uid: "u1", resourceVersion: "5", labels: { app: "x" } },
    data: { a: "1", b: "2" },
  });

  it("gives a create's fields to the manager, skipping server-owned metadata", () => {
    const obj = base();
    updateManagedFields(undefined, obj, "kubectl-create", "Update", { now });
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "v1",
        time: "2025-01-02T03:04:05Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:data": { ".": {}, "f:a": {}, "f:b": {} },
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
        },
      },
    ]);
  });

  it("moves changed fields to the writer and drops emptied entries", () => {
    const old = base();
    updateManagedFields(undefined, old, "kubectl-create", "Update", { now });
    const labeled = structuredClone(old);
    labeled.metadata.labels = { app: "y", tier: "web" };
    updateManagedFields(old, labeled, "kubectl-label", "Update", { now: later });
    const [create, label] = labeled.metadata.managedFields!;
    expect(create.fieldsV1).toEqual({
      "f:data": { ".": {}, "f:a": {}, "f:b": {} },
      "f:metadata": { "f:labels": { ".": {} } },
    });
    expect(label).toMatchObject({
      manager: "kubectl-label",
      time: "2025-01-02T04:00:00Z",
      fieldsV1: { "f:metadata": { "f:labels": { "f:app": {}, "f:tier": {} } } },
    });
    // An edit that takes or removes everything the creator still owns removes its entry; a changed value
    // moves to the editor while the map itself (`.`) stays with whoever added it.
    const edited = structuredClone(labeled);
    edited.data = { a: "9" };
    delete edited.metadata.labels;
    updateManagedFields(labeled, edited, "kubectl-edit", "Update", { now: later });
    expect(edited.metadata.managedFields!.map((m) => [m.manager, m.fieldsV1])).toEqual([
      ["kubectl-create", { "f:data": { ".": {} } }],
      ["kubectl-edit", { "f:data": { "f:a": {} } }],
    ]);
    const emptied = structuredClone(edited);
    delete emptied.data;
    emptied.binaryData = { x: "AA==" };
    updateManagedFields(edited, emptied, "kubectl-edit", "Update", { now: later });
    expect(emptied.metadata.managedFields!.map((m) => [m.manager, m.fieldsV1])).toEqual([
      ["kubectl-edit", { "f:binaryData": { ".": {}, "f:x": {} } }],
    ]);
  });

  it("keeps an unchanged object's entries, and clears them for managedFields: [{}]", () => {
    const old = base();
    updateManagedFields(undefined, old, "kubectl-create", "Update", { now });
    const same = structuredClone(old);
    updateManagedFields(old, same, "kubectl-edit", "Update", { now: later });
    expect(same.metadata.managedFields).toEqual(old.metadata.managedFields);
    const cleared = structuredClone(old);
    cleared.metadata.managedFields = [{} as any];
    updateManagedFields(old, cleared, "kubectl-edit", "Update", { now: later });
    expect(cleared.metadata.managedFields).toBeUndefined();
  });
});

describe("server-side apply and status", () => {
  it("ignores status in a main-resource apply when computing conflicts", () => {
    const created = apply(undefined, config());
    const withStatus = structuredClone(created);
    withStatus.status = { replicas: 1 };
    updateManagedFields(created, withStatus, "kube-controller-manager", "Update", {
      now,
      subresource: "status",
    });
    const again = apply(withStatus, `${config()}\nstatus:\n  replicas: 5\n`);
    const owners = again.metadata.managedFields!.map((m) => [m.manager, m.subresource]);
    expect(owners).toEqual([
      ["kubectl", undefined],
      ["kube-controller-manager", "status"],
    ]);
  });
});
