import { describe, expect, it } from "vitest";
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
} from "../../lib/api/discovery.ts";
import { builtinKinds } from "../../lib/api/kinds/registry.ts";
import { openapiV2Document, openapiV3Document, openapiV3Index } from "../../lib/api/openapi.ts";
import { toTable } from "../../lib/api/table.ts";
import type { KindInfo } from "../../lib/api/types.ts";

// A custom resource as the CRD module would describe it: no columns, a plain JSON schema.
const widget: KindInfo = {
  ...builtinKinds[0],
  group: "example.com",
  version: "v1",
  kind: "Widget",
  listKind: "WidgetList",
  plural: "widgets",
  singular: "widget",
  namespaced: true,
  shortNames: ["wd"],
  categories: [],
  subresources: {},
  columns: [],
  openapi: {
    type: "object",
    properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
    "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Widget" }],
  },
};
const kinds = [...builtinKinds, widget];

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("OpenAPI v3", () => {
  it("indexes every group/version under the base path", () => {
    const idx = openapiV3Index(kinds, "/clusters/local") as any;
    expect(idx.paths["api/v1"].serverRelativeURL).toMatch(
      /^\/clusters\/local\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/,
    );
    expect(idx.paths["apis/apps/v1"]).toBeDefined();
    expect(idx.paths["apis/example.com/v1"]).toBeDefined();
  });

  it("publishes the Deployment schema with its GVK and resolvable references", () => {
    const doc = openapiV3Document(kinds, "apps/v1") as any;
    const schemas = doc.components.schemas;
    const d = schemas["io.k8s.api.apps.v1.Deployment"];
    expect(d["x-kubernetes-group-version-kind"]).toEqual([
      { group: "apps", version: "v1", kind: "Deployment" },
    ]);
    expect(d.properties.metadata.allOf[0].$ref).toBe(
      "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    );
    for (const r of refs(doc)) expect(schemas[r.replace("#/components/schemas/", "")], r).toBeDefined();
    const container = schemas["io.k8s.api.core.v1.Container"];
    expect(container.properties.image.description).toBeTruthy();
    expect(container.properties.ports["x-kubernetes-patch-merge-key"]).toBe("containerPort");
    expect(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"].format).toBe("int-or-string");
  });

  it("declares fieldValidation on each kind's PATCH so kubectl validates server-side", () => {
    const doc = openapiV3Document(kinds, "apps/v1") as any;
    const patch = doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
    });
    const names = patch.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(["fieldValidation", "dryRun", "fieldManager"]));
    const core = openapiV3Document(kinds, "v1") as any;
    expect(core.paths["/api/v1/namespaces/{name}"].patch).toBeDefined();
  });

  it("names custom resources by reverse domain and gives them ObjectMeta", () => {
    const doc = openapiV3Document(kinds, "example.com/v1") as any;
    const w = doc.components.schemas["com.example.v1.Widget"];
    expect(w["x-kubernetes-group-version-kind"][0].kind).toBe("Widget");
    expect(w.properties.metadata.allOf[0].$ref).toContain("ObjectMeta");
    expect(doc.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]).toBeDefined();
    expect(openapiV3Document(kinds, "nope/v1")).toBeUndefined();
  });

  it("has a Swagger 2.0 document with definitions", () => {
    const doc = openapiV2Document(kinds) as any;
    expect(doc.swagger).toBe("2.0");
    expect(doc.definitions["io.k8s.api.core.v1.Pod"]).toBeDefined();
    for (const r of refs(doc)) expect(doc.definitions[r.replace("#/definitions/", "")], r).toBeDefined();
  });
});

describe("discovery", () => {
  it("lists the core version and groups with preferred versions", () => {
    expect(apiVersions().versions).toEqual(["v1"]);
    const groups = apiGroupList(kinds).groups as any[];
    const apps = groups.find((g) => g.name === "apps");
    expect(apps.preferredVersion).toEqual({ groupVersion: "apps/v1", version: "v1" });
    expect(groups.some((g) => g.name === "")).toBe(false);
    expect(apiGroup(kinds, "autoscaling")?.versions[0].version).toBe("v2");
    expect(apiGroup(kinds, "nope")).toBeUndefined();
  });

  it("lists resources with subresources", () => {
    const apps = apiResourceList(kinds, "apps/v1") as any;
    const byName = new Map(apps.resources.map((r: any) => [r.name, r]));
    expect(byName.get("deployments/scale")).toMatchObject({
      kind: "Scale",
      group: "autoscaling",
      version: "v1",
    });
    expect(byName.get("deployments")).toMatchObject({
      shortNames: ["deploy"],
      namespaced: true,
      kind: "Deployment",
    });
    const core = apiResourceList(kinds, "v1") as any;
    const names = core.resources.map((r: any) => r.name);
    expect(names).toEqual(expect.arrayContaining(["pods", "pods/status", "pods/log", "namespaces/finalize"]));
  });

  it("serves aggregated discovery for /api and /apis", () => {
    const api = aggregatedDiscovery(kinds, "api") as any;
    expect(api.kind).toBe("APIGroupDiscoveryList");
    expect(api.items).toHaveLength(1);
    expect(api.items[0].metadata.name).toBe("");
    const pods = api.items[0].versions[0].resources.find((r: any) => r.resource === "pods");
    expect(pods.scope).toBe("Namespaced");
    expect(pods.subresources.map((s: any) => s.subresource)).toContain("status");
    const apis = aggregatedDiscovery(kinds, "apis") as any;
    const apps = apis.items.find((i: any) => i.metadata.name === "apps");
    const deploy = apps.versions[0].resources.find((r: any) => r.resource === "deployments");
    expect(deploy.subresources).toContainEqual({
      subresource: "scale",
      responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
      verbs: ["get", "patch", "update"],
    });
    expect(versionInfo()).toMatchObject({ major: "1", minor: "32" });
  });
});

describe("table fallback", () => {
  it("prints NAME and AGE for kinds without columns", () => {
    const t = toTable(widget, [
      { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } },
    ]) as any;
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(["Name", "Age"]);
    expect(t.rows[0].cells[0]).toBe("w");
  });
});
