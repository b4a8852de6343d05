import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

let k: TestCluster;

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, large]}
              replicas: {type: integer, minimum: 1, maximum: 10}
              code: {type: string, pattern: "^[0-9]+$"}
          status:
            type: object
            properties:
              replicas: {type: integer}
`;

beforeAll(async () => {
  k = await newCluster("crd");
  const r = k.kubectl(["apply", "-f", "-"], crd);
  expect(r.code, r.stderr).toBe(0);
  await waitFor(() => k.kubectl(["get", "widgets"]).code === 0, 15_000, "widgets to be served");
});

describe("custom resources", () => {
  it("are served, listed with printer columns and discoverable", () => {
    const w = `apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
spec: {size: small, replicas: 2}
`;
    const r = k.kubectl(["apply", "-f", "-"], w);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("widget.example.com/w1 created");
    const get = k.kubectl(["get", "wg"]);
    // With printer columns a CRD shows exactly NAME and those columns (no implicit AGE), as Kubernetes does.
    expect(get.stdout).toMatch(/NAME\s+SIZE\s+REPLICAS\s*\n/);
    expect(get.stdout).toMatch(/w1\s+small\s+2/);
    const res = k.kubectl(["api-resources", "--api-group=example.com"]);
    expect(res.stdout).toContain("widgets");
    const again = k.kubectl(["apply", "-f", "-"], w);
    expect(again.stdout).toContain("widget.example.com/w1 unchanged");
  });

  it("validates against the schema with Kubernetes wording", () => {
    const bad = `apiVersion: example.com/v1
kind: Widget
metadata: {name: bad}
spec: {size: medium, replicas: 20, code: abc}
`;
    const r = k.kubectl(["apply", "-f", "-"], bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Widget "bad" is invalid`);
    expect(r.stderr).toContain('spec.size: Unsupported value: "medium": supported values: "small", "large"');
    expect(r.stderr).toContain(
      "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
    );
    expect(r.stderr).toContain(`spec.code: Invalid value: "abc": spec.code in body should match '^[0-9]+$'`);
    const missing = k.kubectl(
      ["apply", "-f", "-"],
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: bad2}\nspec: {replicas: 2}\n",
    );
    expect(missing.stderr).toContain("spec.size: Required value");
    const typed = k.kubectl(
      ["apply", "--validate=false", "-f", "-"],
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: bad3}\nspec: {size: small, replicas: two}\n",
    );
    expect(typed.stderr).toContain('spec.replicas in body must be of type integer: "string"');
  });

  it("supports the scale and status subresources", () => {
    const s = k.kubectl(["scale", "widget", "w1", "--replicas=5"]);
    expect(s.code, s.stderr).toBe(0);
    expect(k.kubectl(["get", "widget", "w1", "-o", "jsonpath={.spec.replicas}"]).stdout).toBe("5");
    const st = k.kubectl([
      "patch",
      "widget",
      "w1",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"replicas":5}}',
    ]);
    expect(st.code, st.stderr).toBe(0);
    expect(k.kubectl(["get", "widget", "w1", "-o", "jsonpath={.status.replicas}"]).stdout).toBe("5");
    // The main resource ignores status changes.
    k.kubectl(["patch", "widget", "w1", "--type=merge", "-p", '{"status":{"replicas":1}}']);
    expect(k.kubectl(["get", "widget", "w1", "-o", "jsonpath={.status.replicas}"]).stdout).toBe("5");
  });
});
