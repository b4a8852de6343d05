import { describe, expect, it } from "vitest";
import { kindsFromCRD, validateCRD } from "../../lib/api/crd/index.ts";
import { findKind } from "../../lib/api/kinds/registry.ts";
import { decodeKubernetesProtobuf } from "../../lib/api/protobuf/index.ts";
import type { KubeObject } from "../../lib/api/types.ts";

const deployment = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
  },
});

describe("built-in kinds", () => {
  const kind = findKind("apps", "v1", "deployments")!;
  it("defaults like the apiserver, idempotently", () => {
    const d = deployment();
    kind.default(d);
    const once = JSON.stringify(d);
    kind.default(d);
    expect(JSON.stringify(d)).toBe(once);
    expect((d.spec as any).strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
    });
    expect((d.spec as any).template.spec.containers[0].imagePullPolicy).toBe("Always");
    expect((d.spec as any).template.spec.restartPolicy).toBe("Always");
  });

  it("words validation errors like Kubernetes", () => {
    const d = deployment();
    d.metadata.name = "Bad_Name";
    (d.spec as any).template.metadata.labels = { app: "other" };
    delete (d.spec as any).template.spec.containers[0].image;
    const errs = kind.validate(d);
    expect(errs).toContainEqual(
      expect.objectContaining({ field: "metadata.name", type: "FieldValueInvalid" }),
    );
    expect(errs.find((e) => e.field === "metadata.name")!.message).toMatch(
      /^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(errs).toContainEqual({
      type: "FieldValueRequired",
      field: "spec.template.spec.containers[0].image",
      message: "Required value",
    });
    expect(errs.find((e) => e.field === "spec.template.metadata.labels")!.message).toContain(
      "`selector` does not match template `labels`",
    );
  });

  it("finds unknown fields only where the schema is complete, and prunes them", () => {
    const d = deployment() as any;
    d.spec.foo = 1;
    d.spec.template.spec.containers[0].imagee = "x";
    d.spec.template.spec.volumes = [{ name: "v", csi: { driver: "x", anything: true } }];
    expect(kind.unknownFields(d).sort()).toEqual(["spec.foo", "spec.template.spec.containers[0].imagee"]);
    const pruned = kind.prune(d) as any;
    expect(pruned.spec.foo).toBeUndefined();
    expect(pruned.spec.template.spec.volumes[0].csi.anything).toBe(true);
  });

  it("folds Secret stringData into data", () => {
    const s: KubeObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "d" },
      stringData: { a: "hi" },
    };
    findKind("", "v1", "secrets")!.default(s);
    expect(s).toMatchObject({ data: { a: "aGk=" }, type: "Opaque" });
    expect(s.stringData).toBeUndefined();
  });
});

describe("custom resources", () => {
  const crd: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", kind: "Widget" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  required: ["size"],
                  properties: {
                    size: { type: "string", enum: ["s", "l"] },
                    n: { type: "integer", minimum: 1, default: 1 },
                    code: { type: "string", pattern: "^[0-9]+$" },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
  const kind = kindsFromCRD(crd)[0];
  const w = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w", namespace: "d" },
    spec,
  });

  it("validates with apiextensions wording", () => {
    const msgs = kind.validate(w({ size: "m", n: 0, code: "x" })).map((e) => `${e.field}: ${e.message}`);
    expect(msgs).toContain('spec.size: Unsupported value: "m": supported values: "s", "l"');
    expect(msgs).toContain("spec.n: Invalid value: 0: spec.n in body should be greater than or equal to 1");
    expect(msgs).toContain(`spec.code: Invalid value: "x": spec.code in body should match '^[0-9]+$'`);
    expect(kind.validate(w({ n: "two" })).map((e) => `${e.field}: ${e.message}`)).toEqual([
      "spec.size: Required value",
      'spec.n: Invalid value: "string": spec.n in body must be of type integer: "string"',
    ]);
  });

  it("defaults and prunes", () => {
    const o = w({ size: "s", extra: 1 });
    kind.default(o);
    expect((o.spec as any).n).toBe(1);
    expect(kind.unknownFields(o)).toEqual(["spec.extra"]);
  });

  it("checks the CRD itself", () => {
    const bad = structuredClone(crd);
    bad.metadata.name = "foo";
    expect(validateCRD(bad).map((e) => e.field)).toContain("metadata.name");
  });
});

describe("protobuf bodies", () => {
  // A ConfigMap as kubectl encodes it: "k8s\0", runtime.Unknown{TypeMeta{v1, ConfigMap}, raw}.
  const str = (no: number, s: string) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from([(no << 3) | 2, b.length]), b]);
  };
  const msg = (no: number, inner: Buffer) =>
    Buffer.concat([Buffer.from([(no << 3) | 2, inner.length]), inner]);
  it("decodes a ConfigMap", () => {
    const meta = Buffer.concat([str(1, "cm"), str(3, "default")]);
    const entry = Buffer.concat([str(1, "a"), str(2, "b")]);
    const raw = Buffer.concat([msg(1, meta), msg(2, entry)]);
    const body = Buffer.concat([
      Buffer.from("k8s\0", "binary"),
      msg(1, Buffer.concat([str(1, "v1"), str(2, "ConfigMap")])),
      msg(2, raw),
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm", namespace: "default" },
      data: { a: "b" },
    });
  });
});
