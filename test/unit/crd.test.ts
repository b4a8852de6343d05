import { describe, expect, it } from "vitest";
import { crdStatus, defaultCRD, kindsFromCRD, validateCRD } from "../../lib/api/crd/index.ts";
import { evalJsonPath, jsonPathResults } from "../../lib/api/crd/jsonpath.ts";
import { getScale, setScaleReplicas } from "../../lib/api/scale.ts";
import { parseFieldSelector } from "../../lib/api/selectors.ts";
import type { KubeObject } from "../../lib/api/types.ts";

const schema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["size"],
      properties: {
        replicas: { type: "integer", minimum: 1, maximum: 10, default: 1 },
        size: { type: "string" },
        name: { type: "string", pattern: "^[0-9]+$", minLength: 2, maxLength: 5 },
        color: { type: "string", enum: ["red", "green"] },
        tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2 },
        ports: {
          type: "array",
          items: {
            type: "object",
            properties: { port: { type: "integer" }, protocol: { type: "string", default: "TCP" } },
          },
        },
        labels: { type: "object", additionalProperties: { type: "string" } },
        port: { "x-kubernetes-int-or-string": true },
        opaque: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        maybe: { type: "string", nullable: true },
        when: { type: "string", format: "date-time" },
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          properties: { spec: { type: "object", properties: { x: { type: "string" } } } },
        },
        nested: {
          type: "object",
          default: {},
          properties: { mode: { type: "string", default: "auto" } },
        },
      },
    },
    status: {
      type: "object",
      properties: {
        replicas: { type: "integer" },
        selector: { type: "string" },
        conditions: {
          type: "array",
          items: { type: "object", properties: { type: { type: "string" }, status: { type: "string" } } },
        },
      },
    },
  },
};

const crd = (): KubeObject =>
  structuredClone<KubeObject>({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", kind: "Widget", shortNames: ["wd"], categories: ["all"] },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          subresources: {
            status: {},
            scale: {
              specReplicasPath: ".spec.replicas",
              statusReplicasPath: ".status.replicas",
              labelSelectorPath: ".status.selector",
            },
          },
          additionalPrinterColumns: [
            { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
            { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: "Tags", type: "string", jsonPath: ".spec.tags", priority: 1 },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          selectableFields: [{ jsonPath: ".spec.color" }],
        },
        { name: "v1beta1", served: false, storage: false, schema: { openAPIV3Schema: schema } },
        {
          name: "v1alpha1",
          served: true,
          storage: false,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  }) as KubeObject;

const widget = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w1", namespace: "default" },
  spec,
  ...extra,
});

const [v1, v1alpha1] = kindsFromCRD(crd());
const msgs = (o: KubeObject, old?: KubeObject) => v1.validate(o, old).map((e) => `${e.field}: ${e.message}`);

describe("kindsFromCRD", () => {
  it("serves one kind per served version", () => {
    expect(kindsFromCRD(crd()).map((k) => k.version)).toEqual(["v1", "v1alpha1"]);
    expect(v1).toMatchObject({
      group: "example.com",
      version: "v1",
      kind: "Widget",
      listKind: "WidgetList",
      plural: "widgets",
      singular: "widget",
      namespaced: true,
      shortNames: ["wd"],
      categories: ["all"],
      subresources: {
        status: true,
        scale: {
          specReplicasPath: ".spec.replicas",
          statusReplicasPath: ".status.replicas",
          labelSelectorPath: ".status.selector",
        },
      },
      selectableFields: [".spec.color"],
    });
    expect(v1.verbs.sort()).toEqual(
      ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"].sort(),
    );
    expect(v1alpha1.subresources).toEqual({});
  });

  it("publishes the schema with type meta and the GVK extension", () => {
    const o = v1.openapi as any;
    expect(o.type).toBe("object");
    expect(Object.keys(o.properties)).toEqual(
      expect.arrayContaining(["apiVersion", "kind", "metadata", "spec", "status"]),
    );
    expect(o["x-kubernetes-group-version-kind"]).toEqual([
      { group: "example.com", version: "v1", kind: "Widget" },
    ]);
    // the CRD's own schema object is not mutated
    expect((schema.properties as any).apiVersion).toBeUndefined();
  });

  it("prints NAME plus the printer columns, evaluating their JSONPath", () => {
    const now = new Date("2024-01-01T01:00:00Z");
    const w = widget(
      { replicas: 3, tags: ["a", "b"] },
      {
        status: {
          conditions: [
            { type: "Synced", status: "False" },
            { type: "Ready", status: "True" },
          ],
        },
      },
    );
    w.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
    expect(v1.columns.map((c) => c.name)).toEqual(["Name", "Replicas", "Ready", "Tags", "Age"]);
    expect(v1.columns.map((c) => c.type)).toEqual(["string", "integer", "string", "string", "date"]);
    expect(v1.columns.map((c) => c.priority)).toEqual([0, 0, 0, 1, 0]);
    expect(v1.columns.map((c) => c.cell(w, now))).toEqual(["w1", 3, "True", "[a b]", "60m"]);
    expect(v1.columns[1].description).toBe(
      "Custom resource definition column (in JSONPath format): .spec.replicas",
    );
    // missing values are null (kubectl prints <none>)
    expect(v1.columns[2].cell(widget({}), now)).toBeNull();
  });

  it("adds an implicit Age column when a version declares no printer columns", () => {
    expect(v1alpha1.columns.map((c) => [c.name, c.type])).toEqual([
      ["Name", "string"],
      ["Age", "date"],
    ]);
    const w = widget({});
    w.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
    expect(v1alpha1.columns[1].cell(w, new Date("2024-01-03T00:00:00Z"))).toBe("2d");
  });

  it("feeds selectableFields to field selectors", () => {
    expect(parseFieldSelector("spec.color=red", v1).matches(widget({ color: "red" }))).toBe(true);
    expect(() => parseFieldSelector("spec.size=s", v1)).toThrow("field label not supported: spec.size");
  });
});

describe("custom resource validation", () => {
  it("words type errors like kube-openapi", () => {
    const errs = v1.validate(widget({ size: "s", replicas: "string" }));
    expect(errs).toEqual([
      {
        type: "FieldValueTypeInvalid",
        field: "spec.replicas",
        message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      },
    ]);
    expect(msgs(widget({ size: 1 }))).toEqual([
      'spec.size: Invalid value: "integer": spec.size in body must be of type string: "integer"',
    ]);
    expect(msgs(widget({ size: "s", replicas: 1.5 }))).toEqual([
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
    ]);
  });

  it("requires required fields", () => {
    expect(v1.validate(widget({}))).toEqual([
      { type: "FieldValueRequired", field: "spec.size", message: "Required value" },
    ]);
  });

  it("checks minimum and maximum", () => {
    expect(msgs(widget({ size: "s", replicas: 0 }))).toEqual([
      "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
    ]);
    expect(msgs(widget({ size: "s", replicas: 20 }))).toEqual([
      "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
    ]);
  });

  it("checks pattern, minLength and maxLength", () => {
    expect(msgs(widget({ size: "s", name: "abc" }))).toEqual([
      `spec.name: Invalid value: "abc": spec.name in body should match '^[0-9]+$'`,
    ]);
    expect(msgs(widget({ size: "s", name: "1" }))).toEqual([
      'spec.name: Invalid value: "1": spec.name in body should be at least 2 chars long',
    ]);
    const errs = v1.validate(widget({ size: "s", name: "123456" }));
    expect(errs).toEqual([
      { type: "FieldValueTooLong", field: "spec.name", message: "Too long: may not be more than 5 bytes" },
    ]);
  });

  it("checks enums", () => {
    expect(v1.validate(widget({ size: "s", color: "pink" }))).toEqual([
      {
        type: "FieldValueNotSupported",
        field: "spec.color",
        message: 'Unsupported value: "pink": supported values: "red", "green"',
      },
    ]);
  });

  it("checks arrays, their items and maps", () => {
    expect(msgs(widget({ size: "s", tags: [] }))).toEqual([
      "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items",
    ]);
    const tooMany = v1.validate(widget({ size: "s", tags: ["a", "b", "c"] }));
    expect(tooMany).toEqual([
      { type: "FieldValueTooMany", field: "spec.tags", message: "Too many: 3: must have at most 2 items" },
    ]);
    expect(msgs(widget({ size: "s", tags: ["a", 1] }))).toEqual([
      'spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"',
    ]);
    expect(msgs(widget({ size: "s", ports: [{ port: "x" }] }))).toEqual([
      'spec.ports[0].port: Invalid value: "string": spec.ports[0].port in body must be of type integer: "string"',
    ]);
    expect(msgs(widget({ size: "s", labels: { a: "b", c: 1 } }))).toEqual([
      'spec.labels.c: Invalid value: "integer": spec.labels.c in body must be of type string: "integer"',
    ]);
  });

  it("handles int-or-string, nullable, preserve-unknown-fields, formats and embedded resources", () => {
    expect(msgs(widget({ size: "s", port: 80 }))).toEqual([]);
    expect(msgs(widget({ size: "s", port: "http" }))).toEqual([]);
    expect(msgs(widget({ size: "s", port: true }))).toEqual([
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    ]);
    expect(msgs(widget({ size: "s", maybe: null }))).toEqual([]);
    expect(msgs(widget({ size: "s", opaque: { anything: [1, { deep: true }] } }))).toEqual([]);
    expect(msgs(widget({ size: "s", when: "2024-01-01T00:00:00Z" }))).toEqual([]);
    expect(msgs(widget({ size: "s", when: "yesterday" }))).toEqual([
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
    ]);
    expect(msgs(widget({ size: "s", template: { metadata: { name: "x" } } }))).toEqual([
      "spec.template.apiVersion: Required value: must not be empty",
      "spec.template.kind: Required value: must not be empty",
    ]);
  });

  it("validates ObjectMeta like every kind", () => {
    const w = widget({ size: "s" });
    w.metadata.name = "Bad_Name";
    w.metadata.labels = { "a b": "c" };
    const errs = v1.validate(w);
    expect(errs[0]).toEqual({
      type: "FieldValueInvalid",
      field: "metadata.name",
      message:
        "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    });
    expect(errs.some((e) => e.field === "metadata.labels")).toBe(true);
    const noNs = widget({ size: "s" });
    delete noNs.metadata.namespace;
    expect(msgs(noNs)).toEqual(["metadata.namespace: Required value"]);
  });

  it("ratchets unchanged invalid values on update", () => {
    const old = widget({ size: "s", replicas: 20 });
    expect(msgs(widget({ size: "m", replicas: 20 }), old)).toEqual([]);
    expect(msgs(widget({ size: "m", replicas: 30 }), old)).toHaveLength(1);
  });
});

describe("defaulting and pruning", () => {
  it("applies defaults recursively, including in array items", () => {
    const w = widget({ size: "s", ports: [{ port: 80 }, { port: 53, protocol: "UDP" }] });
    v1.default(w);
    expect(w.spec).toEqual({
      size: "s",
      replicas: 1,
      ports: [
        { port: 80, protocol: "TCP" },
        { port: 53, protocol: "UDP" },
      ],
      nested: { mode: "auto" },
    });
    const again = structuredClone(w);
    v1.default(again);
    expect(again).toEqual(w);
  });

  it("defaults nulls in non-nullable fields and drops the others", () => {
    const w = widget({ size: "s", replicas: null, color: null, maybe: null });
    v1.default(w);
    expect((w.spec as any).replicas).toBe(1);
    expect("color" in (w.spec as any)).toBe(false);
    expect((w.spec as any).maybe).toBeNull();
  });

  it("reports and prunes unknown fields, keeping preserved and embedded ones", () => {
    const w = widget(
      {
        size: "s",
        extra: 1,
        ports: [{ port: 1, bogus: true }],
        opaque: { keep: 1 },
        template: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p", junk: 1 },
          spec: { x: "a", y: "b" },
        },
      },
      { topLevel: true },
    );
    (w.metadata as any).junk = "x";
    expect(v1.unknownFields(w).sort()).toEqual(
      [
        "metadata.junk",
        "spec.extra",
        "spec.ports[0].bogus",
        "spec.template.metadata.junk",
        "spec.template.spec.y",
        "topLevel",
      ].sort(),
    );
    const p = v1.prune(w) as any;
    expect(p.topLevel).toBeUndefined();
    expect(p.metadata).toEqual({ name: "w1", namespace: "default" });
    expect(p.spec).toEqual({
      size: "s",
      ports: [{ port: 1 }],
      opaque: { keep: 1 },
      template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { x: "a" } },
    });
    expect(p.apiVersion).toBe("example.com/v1");
    expect(p.kind).toBe("Widget");
    // the input is untouched
    expect((w.spec as any).extra).toBe(1);
  });

  it("keeps everything under a schema that preserves unknown fields", () => {
    const w = widget({ anything: { goes: true } }, { more: 1 });
    expect(v1alpha1.unknownFields(w)).toEqual([]);
    expect(v1alpha1.prune(w)).toEqual(w);
  });
});

describe("validateCRD", () => {
  const fields = (c: KubeObject) => validateCRD(c).map((e) => `${e.field}: ${e.message}`);

  it("accepts a good CRD", () => {
    expect(validateCRD(crd())).toEqual([]);
  });

  it("requires metadata.name to be plural.group", () => {
    const c = crd();
    c.metadata.name = "foo";
    expect(fields(c)).toEqual([
      'metadata.name: Invalid value: "foo": must be spec.names.plural+"."+spec.group',
    ]);
  });

  it("checks group, scope and names", () => {
    const c = crd();
    const spec = c.spec as any;
    spec.group = "example";
    c.metadata.name = "widgets.example";
    spec.scope = "Global";
    expect(fields(c)).toEqual([
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ]);
    const d = crd();
    delete (d.spec as any).names.plural;
    delete (d.spec as any).names.kind;
    expect(fields(d)).toEqual(["spec.names.plural: Required value", "spec.names.kind: Required value"]);
  });

  it("requires exactly one storage version", () => {
    const c = crd();
    (c.spec as any).versions[1].storage = true;
    const errs = validateCRD(c);
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe("spec.versions");
    expect(errs[0].message).toMatch(
      /^Invalid value: .*: must have exactly one version marked as storage version$/,
    );
  });

  it("requires a structural schema with an object root", () => {
    const c = crd();
    delete (c.spec as any).versions[0].schema;
    (c.spec as any).versions[2].schema.openAPIV3Schema = { type: "string" };
    expect(fields(c)).toEqual([
      "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
      'spec.versions[2].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root',
    ]);
    const d = crd();
    (d.spec as any).versions[2].schema.openAPIV3Schema = {
      type: "object",
      properties: { spec: { properties: { a: { type: "string" } } } },
    };
    expect(fields(d)).toEqual([
      "spec.versions[2].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
    ]);
  });

  it("validates defaults against their schema, after nested defaulting", () => {
    const c = crd();
    const props = (c.spec as any).versions[0].schema.openAPIV3Schema.properties.spec.properties;
    props.replicas.default = "one";
    props.nested.required = ["mode"];
    // versions[0] and versions[1] share the schema
    const errs = validateCRD(c);
    expect(errs).toHaveLength(2);
    expect(errs[0].field).toBe(
      "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default",
    );
    expect(errs[0].message).toContain("must be of type integer");
  });

  it("checks printer columns and scale paths", () => {
    const c = crd();
    const v = (c.spec as any).versions[0];
    v.additionalPrinterColumns[0].type = "float";
    v.subresources.scale.specReplicasPath = ".status.replicas";
    expect(fields(c)).toEqual([
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
      'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "boolean", "date", "integer", "number", "string"',
    ]);
  });

  it("keeps group and scope immutable", () => {
    const old = crd();
    const c = crd();
    (c.spec as any).scope = "Cluster";
    expect(validateCRD(c, old).map((e) => e.message)).toEqual([
      'Invalid value: "Cluster": field is immutable',
    ]);
  });

  it("defaults names", () => {
    const c = crd();
    defaultCRD(c);
    expect((c.spec as any).names).toMatchObject({ singular: "widget", listKind: "WidgetList" });
    expect((c.spec as any).conversion).toEqual({ strategy: "None" });
  });
});

describe("crdStatus", () => {
  it("is established with the accepted names and the storage version", () => {
    const s = crdStatus(crd()) as any;
    expect(s.conditions.map((c: any) => [c.type, c.status, c.reason, c.message])).toEqual([
      ["NamesAccepted", "True", "NoConflicts", "no conflicts found"],
      ["Established", "True", "InitialNamesAccepted", "the initial names have been accepted"],
    ]);
    expect(s.conditions[0].lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(s.acceptedNames).toEqual({
      plural: "widgets",
      singular: "widget",
      shortNames: ["wd"],
      kind: "Widget",
      listKind: "WidgetList",
      categories: ["all"],
    });
    expect(s.storedVersions).toEqual(["v1"]);
  });

  it("keeps transition times and previously stored versions", () => {
    const c = crd();
    c.status = {
      conditions: [{ type: "Established", status: "True", lastTransitionTime: "2020-01-01T00:00:00Z" }],
      storedVersions: ["v1alpha1"],
    };
    const s = crdStatus(c) as any;
    expect(s.conditions[1].lastTransitionTime).toBe("2020-01-01T00:00:00Z");
    expect(s.storedVersions).toEqual(["v1alpha1", "v1"]);
  });
});

describe("scale subresource", () => {
  const scale = v1.subresources.scale!;
  it("presents an autoscaling/v1 Scale", () => {
    const w = widget({ size: "s", replicas: 3 }, { status: { replicas: 2, selector: "app=w" } });
    Object.assign(w.metadata, { uid: "u1", resourceVersion: "7", creationTimestamp: "2024-01-01T00:00:00Z" });
    expect(getScale(w, scale, v1)).toEqual({
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: {
        name: "w1",
        namespace: "default",
        uid: "u1",
        resourceVersion: "7",
        creationTimestamp: "2024-01-01T00:00:00Z",
      },
      spec: { replicas: 3 },
      status: { replicas: 2, selector: "app=w" },
    });
  });

  it("formats a built-in workload's metav1.LabelSelector", () => {
    const d: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "n" },
      spec: { replicas: 1, selector: { matchLabels: { b: "2", a: "1" } } },
    };
    const s = getScale(d, {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
    }) as any;
    expect(s.status).toEqual({ replicas: 0, selector: "a=1,b=2" });
  });

  it("sets spec replicas on a copy", () => {
    const w = widget({ size: "s" });
    const out = setScaleReplicas(w, scale, 5);
    expect((out.spec as any).replicas).toBe(5);
    expect((w.spec as any).replicas).toBeUndefined();
    const deep = setScaleReplicas(w, { specReplicasPath: ".spec.a.b", statusReplicasPath: ".status.r" }, 2);
    expect((deep.spec as any).a).toEqual({ b: 2 });
  });
});

describe("jsonpath", () => {
  const o = {
    metadata: { labels: { "app.kubernetes.io/name": "web" } },
    spec: { items: [{ n: 1 }, { n: 2 }, { n: 3 }] },
    status: {
      conditions: [
        { type: "Ready", status: "True" },
        { type: "Synced", status: "False" },
      ],
    },
  };
  it.each([
    [".spec.items[0].n", 1],
    ["{.spec.items[-1].n}", 3],
    [".spec.items[*].n", 1],
    ['.status.conditions[?(@.type=="Synced")].status', "False"],
    [".status.conditions[?(@.type=='Ready')].status", "True"],
    [".metadata.labels['app.kubernetes.io/name']", "web"],
    [".metadata.labels.app\\.kubernetes\\.io/name", "web"],
    [".spec.missing", undefined],
    [".spec.items[9]", undefined],
  ])("%s", (expr, want) => {
    expect(evalJsonPath(o, expr)).toEqual(want);
  });
  it("returns every result", () => {
    expect(jsonPathResults(o, ".spec.items[*].n")).toEqual([1, 2, 3]);
    expect(jsonPathResults(o, ".spec.items[0:2].n")).toEqual([1, 2]);
    expect(jsonPathResults(o, "..n")).toEqual([1, 2, 3]);
    expect(jsonPathResults(o, ".spec.items[?(@.n > 1)].n")).toEqual([2, 3]);
  });
});
