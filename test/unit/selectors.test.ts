import { describe, expect, it } from "vitest";
import {
  labelSelectorFromObject,
  labelSelectorString,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "../../lib/api/selectors.ts";
import type { KubeObject } from "../../lib/api/types.ts";

describe("label selectors", () => {
  const labels = { environment: "production", tier: "frontend", partition: "a", n: "5" };
  it.each([
    ["environment in (production, qa)", true],
    ["environment in (qa)", false],
    ["tier notin (frontend,backend)", false],
    ["tier notin (backend)", true],
    ["missing notin (x)", true],
    ["!partition", false],
    ["!missing", true],
    ["partition", true],
    ["missing", false],
    ["a=b,c!=d", false],
    ["environment=production,tier!=backend", true],
    ["environment==production", true],
    ["environment==qa", false],
    ["missing!=x", true],
    ["  environment  =  production ,  partition  ", true],
    ["n>3", true],
    ["n<3", false],
    ["missing>3", false],
    ["", true],
    ["   ", true],
  ])("%j → %s", (sel, want) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(want);
  });

  it("treats an empty value and () as the empty string", () => {
    expect(parseLabelSelector("a=").matches({ a: "" })).toBe(true);
    expect(parseLabelSelector("a in ()").matches({ a: "" })).toBe(true);
    expect(parseLabelSelector("a in ()").matches({ a: "x" })).toBe(false);
    expect(parseLabelSelector("a in (x,,y)").matches({ a: "" })).toBe(true);
  });

  it("accepts in/notin as values", () => {
    expect(parseLabelSelector("x in (in, notin)").matches({ x: "notin" })).toBe(true);
  });

  it("prints like labels.Selector.String: sorted by key, values sorted", () => {
    const s = parseLabelSelector(
      "tier notin (frontend,backend), environment in (qa,production),!b,a,c==d,n>3",
    );
    expect(s.toString()).toBe("a,!b,c==d,environment in (production,qa),n>3,tier notin (backend,frontend)");
    expect(s.empty).toBe(false);
    expect(parseLabelSelector("").empty).toBe(true);
    expect(parseLabelSelector("").toString()).toBe("");
  });

  it.each([
    ["a in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ["a in (b", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["a in b", "unable to parse requirement: found 'b' expected: '('"],
    ["bad key=1", "unable to parse requirement: found 'key', expected: in, notin, =, ==, !=, gt, lt"],
    ["a=b,", "found '', expected: identifier after ','"],
    [",a", "found ',', expected: !, identifier, or 'end of string'"],
    ["a=b c", "found 'c', expected: ',' or 'end of string'"],
    ["a=(b)", "unable to parse requirement: found '(', expected: identifier"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    [
      "a>b",
      "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
  ])("rejects %j with the apiserver's wording", (sel, msg) => {
    expect(() => parseLabelSelector(sel)).toThrow(SelectorError);
    expect(() => parseLabelSelector(sel)).toThrow(msg);
  });

  it("validates label keys and values", () => {
    expect(() => parseLabelSelector("-a=b")).toThrow(
      'unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters',
    );
    expect(() => parseLabelSelector("a=-b")).toThrow(
      'unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string',
    );
    expect(() => parseLabelSelector(`a=${"x".repeat(64)}`)).toThrow("must be no more than 63 characters");
    expect(parseLabelSelector("example.com/app=web").matches({ "example.com/app": "web" })).toBe(true);
  });

  it("turns metav1.LabelSelector into a matcher", () => {
    const s = labelSelectorFromObject({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["fe", "be"] },
        { key: "old", operator: "DoesNotExist" },
        { key: "env", operator: "Exists" },
        { key: "zone", operator: "NotIn", values: ["x"] },
      ],
    });
    expect(s.matches({ app: "web", tier: "fe", env: "" })).toBe(true);
    expect(s.matches({ app: "web", tier: "fe" })).toBe(false);
    expect(s.matches({ app: "web", tier: "fe", env: "", old: "1" })).toBe(false);
    expect(s.matches({ app: "web", tier: "fe", env: "", zone: "x" })).toBe(false);
    expect(s.toString()).toBe("app=web,env,!old,tier in (be,fe),zone notin (x)");
    expect(labelSelectorFromObject(undefined).matches({})).toBe(true);
    expect(labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Bogus" }] }).matches({})).toBe(
      false,
    );
    expect(labelSelectorFromObject({}).empty).toBe(true);
    expect(labelSelectorString({ matchLabels: { b: "2", a: "1" } })).toBe("a=1,b=2");
  });
});

describe("field selectors", () => {
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns" },
    spec: { nodeName: "n1", restartPolicy: "Always" },
    status: { phase: "Running", podIPs: [{ ip: "10.0.0.1" }] },
  };
  const podKind = { kind: "Pod", group: "" };

  it("matches the supported fields", () => {
    expect(parseFieldSelector("spec.nodeName=n1,status.phase!=Pending", podKind).matches(pod)).toBe(true);
    expect(parseFieldSelector("metadata.name==q", podKind).matches(pod)).toBe(false);
    expect(parseFieldSelector("metadata.namespace=ns", podKind).matches(pod)).toBe(true);
    expect(parseFieldSelector("status.podIP=10.0.0.1", podKind).matches(pod)).toBe(true);
    expect(parseFieldSelector("spec.nodeName=", podKind).matches(pod)).toBe(false);
    expect(parseFieldSelector("spec.schedulerName=", podKind).matches(pod)).toBe(true);
    expect(parseFieldSelector("spec.hostNetwork=false", podKind).matches(pod)).toBe(true);
    expect(parseFieldSelector("", podKind).empty).toBe(true);
    expect(parseFieldSelector("status.phase!=Running", podKind).requirements).toEqual([
      { field: "status.phase", op: "!=", value: "Running" },
    ]);
  });

  it("computes per-kind values like the apiserver's GetAttrs", () => {
    const job: KubeObject = { apiVersion: "batch/v1", kind: "Job", metadata: {}, status: { succeeded: 1 } };
    expect(parseFieldSelector("status.successful=1", { kind: "Job", group: "batch" }).matches(job)).toBe(
      true,
    );
    const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: {} };
    expect(parseFieldSelector("spec.unschedulable=false", { kind: "Node", group: "" }).matches(node)).toBe(
      true,
    );
    const rs: KubeObject = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: {}, status: {} };
    expect(parseFieldSelector("status.replicas=0", { kind: "ReplicaSet", group: "apps" }).matches(rs)).toBe(
      true,
    );
    const ev: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: {},
      involvedObject: { kind: "Pod", name: "p" },
      reportingComponent: "kubelet",
      type: "Warning",
    };
    const evKind = { kind: "Event", group: "" };
    expect(
      parseFieldSelector("involvedObject.kind=Pod,involvedObject.name=p,type=Warning", evKind).matches(ev),
    ).toBe(true);
    expect(parseFieldSelector("source=kubelet", evKind).matches(ev)).toBe(true);
    const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: {}, type: "Opaque" };
    expect(parseFieldSelector("type=Opaque", { kind: "Secret", group: "" }).matches(secret)).toBe(true);
  });

  it("unescapes values", () => {
    const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a,b" } };
    expect(parseFieldSelector("metadata.name=a\\,b", { kind: "ConfigMap", group: "" }).matches(cm)).toBe(
      true,
    );
    expect(() => parseFieldSelector("metadata.name=a\\x", { kind: "ConfigMap", group: "" })).toThrow(
      "invalid field selector: invalid escape sequence: \\x",
    );
  });

  it("refuses unsupported fields like the apiserver", () => {
    expect(() => parseFieldSelector("spec.foo=bar", podKind)).toThrow("field label not supported: spec.foo");
    expect(() => parseFieldSelector("foo.bar=baz", { kind: "Ingress", group: "networking.k8s.io" })).toThrow(
      '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    expect(() => parseFieldSelector("spec.nodeName", podKind)).toThrow(
      "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'",
    );
    try {
      parseFieldSelector("x=y", { kind: "Widget", group: "example.com", selectableFields: [] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SelectorError);
      expect((e as Error).message).toBe("field label not supported: x");
    }
  });

  it("supports CRD selectableFields", () => {
    const kind = { kind: "Widget", group: "example.com", selectableFields: [".spec.color"] };
    const w: KubeObject = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: {},
      spec: { color: "red" },
    };
    expect(parseFieldSelector("spec.color=red", kind).matches(w)).toBe(true);
    expect(parseFieldSelector("spec.color!=red", kind).matches(w)).toBe(false);
  });
});
