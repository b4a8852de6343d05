import { describe, expect, it } from "vitest";
import {
  labelSelectorFromObject,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "../../lib/api/selectors.ts";

describe("label selectors", () => {
  const labels = { environment: "production", tier: "frontend", partition: "a" };
  it.each([
    ["environment in (production, qa)", true],
    ["tier notin (frontend,backend)", false],
    ["!partition", false],
    ["partition", true],
    ["environment=production,tier!=backend", true],
    ["environment==qa", false],
    ["missing!=x", true],
    ["", true],
  ])("%s → %s", (sel, want) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(want);
  });

  it("rejects malformed selectors with the apiserver's wording", () => {
    expect(() => parseLabelSelector("a in (")).toThrow(SelectorError);
    expect(() => parseLabelSelector("a in ()")).toThrow(/at least one value/);
    expect(() => parseLabelSelector("bad key=1")).toThrow(/unable to parse requirement/);
  });

  it("turns metav1.LabelSelector into a matcher", () => {
    const s = labelSelectorFromObject({
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["fe"] }],
    });
    expect(s.matches({ app: "web", tier: "fe" })).toBe(true);
    expect(s.matches({ app: "web" })).toBe(false);
    expect(labelSelectorFromObject(undefined).matches({})).toBe(true);
  });
});

describe("field selectors", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns" },
    spec: { nodeName: "n1" },
    status: { phase: "Running" },
  };
  it("matches the supported fields", () => {
    expect(
      parseFieldSelector("spec.nodeName=n1,status.phase!=Pending", { kind: "Pod", group: "" }).matches(pod),
    ).toBe(true);
    expect(parseFieldSelector("metadata.name==q", { kind: "Pod", group: "" }).matches(pod)).toBe(false);
  });
  it("refuses unsupported fields like the apiserver", () => {
    expect(() => parseFieldSelector("spec.foo=bar", { kind: "ConfigMap", group: "" })).toThrow(
      "field label not supported: spec.foo",
    );
  });
});
