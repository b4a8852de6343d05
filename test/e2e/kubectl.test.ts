import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor, writeTemp } from "../helpers.ts";

// The acceptance session from the core issue, driven through the real kubectl binary.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("kubectl");
});

const manifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  labels: {app: web, tier: frontend}
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
`;

describe("kubectl against a Kumulus cluster", () => {
  it("reports its version, resources and built-in namespaces", () => {
    const v = k.kubectl(["version", "-o", "json"]);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).serverVersion.minor).toBe("32");
    const r = k.kubectl(["api-resources"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    const ns = k.kubectl(["get", "ns"]);
    expect(ns.code, ns.stderr).toBe(0);
    for (const n of ["default", "kube-system", "kube-public", "kube-node-lease"])
      expect(ns.stdout).toContain(n);
    expect(ns.stdout).toMatch(/NAME\s+STATUS\s+AGE/);
  });

  it("applies a multi-document manifest, then says unchanged", () => {
    const f = writeTemp("app.yaml", manifest);
    const first = k.kubectl(["apply", "-f", f]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("configmap/app-config created");
    expect(first.stdout).toContain("deployment.apps/web created");
    expect(first.stdout).toContain("service/web created");
    const second = k.kubectl(["apply", "-f", f]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("configmap/app-config unchanged");
    expect(second.stdout).toContain("deployment.apps/web unchanged");
    expect(second.stdout).toContain("service/web unchanged");
    const changed = k.kubectl(["apply", "-f", "-"], manifest.replace("nginx:1.27", "nginx:1.28"));
    expect(changed.stdout).toContain("deployment.apps/web configured");
    const img = k.kubectl([
      "get",
      "deploy",
      "web",
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    expect(img.stdout).toBe("nginx:1.28");
  });

  it("applies a kind: List, and what get -o yaml printed back", () => {
    const list = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: listed-a, labels: {set: listed}}, data: {value: "1"}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: listed-b, labels: {set: listed}}, data: {value: "2"}}
`;
    const first = k.kubectl(["apply", "-f", "-"], list);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("configmap/listed-a created");
    expect(first.stdout).toContain("configmap/listed-b created");
    const printed = k.kubectl(["get", "cm", "-l", "set=listed", "-o", "yaml"]);
    expect(printed.stdout).toContain("kind: List");
    k.kubectl(["delete", "cm", "-l", "set=listed"]);
    const again = k.kubectl(["apply", "-f", "-"], printed.stdout);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("configmap/listed-b created");
    const data = k.kubectl(["get", "cm", "listed-b", "-o", "jsonpath={.data.value}"]);
    expect(data.stdout).toBe("2");
  });

  it("applies server-side", () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
data:
  a: "1"
`;
    const r = k.kubectl(["apply", "--server-side", "-f", "-"], cm);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("configmap/ssa serverside-applied");
    const again = k.kubectl(["apply", "--server-side", "-f", "-"], cm.replace('a: "1"', 'b: "2"'));
    expect(again.code, again.stderr).toBe(0);
    const data = JSON.parse(k.kubectl(["get", "cm", "ssa", "-o", "json"]).stdout).data;
    expect(data).toEqual({ b: "2" });
  });

  it("gets in every output format with selectors and chunking", () => {
    for (let i = 0; i < 5; i++) {
      const r = k.kubectl(["create", "configmap", `chunk-${i}`, `--from-literal=i=${i}`]);
      expect(r.code, r.stderr).toBe(0);
      k.kubectl(["label", "cm", `chunk-${i}`, `idx=${i}`, i % 2 ? "odd=yes" : "even=yes"]);
    }
    const table = k.kubectl(["get", "cm"]);
    expect(table.stdout).toMatch(/NAME\s+DATA\s+AGE/);
    const wide = k.kubectl(["get", "deploy", "-o", "wide"]);
    expect(wide.stdout).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
    const name = k.kubectl(["get", "cm", "-o", "name", "-l", "idx in (1,3)"]);
    expect(name.stdout.trim().split("\n").sort()).toEqual(["configmap/chunk-1", "configmap/chunk-3"]);
    const notin = k.kubectl(["get", "cm", "-o", "name", "-l", "idx,idx notin (0,1,2),!odd"]);
    expect(notin.stdout.trim()).toBe("configmap/chunk-4");
    const yaml = k.kubectl(["get", "cm", "chunk-0", "-o", "yaml"]);
    expect(yaml.stdout).toContain("kind: ConfigMap");
    const json = JSON.parse(k.kubectl(["get", "cm", "-o", "json", "--chunk-size=2", "-l", "idx"]).stdout);
    expect(json.items).toHaveLength(5);
    const chunked = k.kubectl(["get", "cm", "--chunk-size=2", "-l", "idx", "--no-headers"]);
    expect(chunked.stdout.trim().split("\n")).toHaveLength(5);
    const field = k.kubectl(["get", "cm", "-o", "name", "--field-selector", "metadata.name=chunk-2"]);
    expect(field.stdout.trim()).toBe("configmap/chunk-2");
    const all = k.kubectl([
      "get",
      "cm",
      "-A",
      "-o",
      "custom-columns=NS:.metadata.namespace,NAME:.metadata.name",
      "--no-headers",
    ]);
    expect(all.stdout).toMatch(/default\s+chunk-0/);
    const tmpl = k.kubectl(["get", "cm", "chunk-3", "-o", "go-template={{.data.i}}"]);
    expect(tmpl.stdout).toBe("3");
  });

  it("patches with all three types, labels and annotates", () => {
    expect(k.kubectl(["patch", "deploy", "web", "-p", '{"spec":{"replicas":3}}']).code).toBe(0);
    expect(
      k.kubectl(["patch", "deploy", "web", "--type=merge", "-p", '{"metadata":{"labels":{"m":"1"}}}']).code,
    ).toBe(0);
    const jp = k.kubectl([
      "patch",
      "deploy",
      "web",
      "--type=json",
      "-p",
      '[{"op":"replace","path":"/spec/replicas","value":4}]',
    ]);
    expect(jp.code, jp.stderr).toBe(0);
    const d = JSON.parse(k.kubectl(["get", "deploy", "web", "-o", "json"]).stdout);
    expect(d.spec.replicas).toBe(4);
    expect(d.metadata.labels.m).toBe("1");
    expect(d.spec.template.spec.containers).toHaveLength(1);
    expect(k.kubectl(["label", "deploy", "web", "team=a"]).code).toBe(0);
    const relabel = k.kubectl(["label", "deploy", "web", "team=b"]);
    expect(relabel.code).not.toBe(0);
    expect(k.kubectl(["label", "deploy", "web", "team=b", "--overwrite"]).code).toBe(0);
    expect(k.kubectl(["annotate", "deploy", "web", "note=x"]).code).toBe(0);
    expect(k.kubectl(["annotate", "deploy", "web", "note=y", "--overwrite"]).code).toBe(0);
    const after = JSON.parse(k.kubectl(["get", "deploy", "web", "-o", "json"]).stdout);
    expect(after.metadata.labels.team).toBe("b");
    expect(after.metadata.annotations.note).toBe("y");
  });

  it("refuses replace of a stale object with Conflict", () => {
    const stale = k.kubectl(["get", "cm", "app-config", "-o", "json"]).stdout;
    expect(k.kubectl(["label", "cm", "app-config", "bump=1"]).code).toBe(0);
    const r = k.kubectl(["replace", "-f", "-"], stale);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      "the object has been modified; please apply your changes to the latest version and try again",
    );
    expect(r.stderr).toMatch(/Conflict|Operation cannot be fulfilled/);
  });

  it("creates with --dry-run=server without storing", () => {
    const r = k.kubectl([
      "create",
      "configmap",
      "dry",
      "--from-literal=a=b",
      "--dry-run=server",
      "-o",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).metadata.uid).toBeTruthy();
    const g = k.kubectl(["get", "cm", "dry"]);
    expect(g.code).not.toBe(0);
    expect(g.stderr).toContain('configmaps "dry" not found');
  });

  it("explains kinds and fields", () => {
    const r = k.kubectl(["explain", "deployment.spec.replicas"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("KIND:");
    expect(r.stdout).toContain("Deployment");
    const pods = k.kubectl(["explain", "pods.spec.containers"]);
    expect(pods.code, pods.stderr).toBe(0);
  });

  it("rejects an invalid name with Invalid value", () => {
    const r = k.kubectl(["create", "configmap", "Bad_Name"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Invalid value");
    expect(r.stderr).toContain("RFC 1123");
  });

  it("holds a delete until the finalizer is removed", async () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  finalizers: ["example.com/hold"]
data: {a: b}
`;
    expect(k.kubectl(["apply", "-f", "-"], cm).code).toBe(0);
    const del = k.kubectl(["delete", "cm", "held", "--wait=false"]);
    expect(del.code, del.stderr).toBe(0);
    const held = JSON.parse(k.kubectl(["get", "cm", "held", "-o", "json"]).stdout);
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    const p = k.kubectl([
      "patch",
      "cm",
      "held",
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    expect(p.code, p.stderr).toBe(0);
    await waitFor(() => k.kubectl(["get", "cm", "held"]).code !== 0, 10_000, "held configmap to go");
  });

  it("round-trips a 700 KB ConfigMap byte for byte", async () => {
    let data = "";
    let seed = 7;
    while (data.length < 700 * 1024) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      data += seed.toString(36);
    }
    const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: { blob: data } };
    const f = writeTemp("big.json", JSON.stringify(body));
    const r = k.kubectl(["create", "-f", f]);
    expect(r.code, r.stderr).toBe(0);
    const got = await k.api("GET", "/api/v1/namespaces/default/configmaps/big");
    expect(got.status).toBe(200);
    expect(got.body.data.blob).toBe(data);
    const upd = k.kubectl(["label", "cm", "big", "size=large"]);
    expect(upd.code, upd.stderr).toBe(0);
    const again = await k.api("GET", "/api/v1/namespaces/default/configmaps/big");
    expect(again.body.data.blob).toBe(data);
  });

  it("streams ADDED, MODIFIED and DELETED to a watcher in order", async () => {
    const w = k.kubectlAsync([
      "get",
      "cm",
      "-w",
      "--output-watch-events",
      "--field-selector",
      "metadata.name=watched",
    ]);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(k.kubectl(["create", "cm", "watched", "--from-literal=a=1"]).code).toBe(0);
      expect(k.kubectl(["label", "cm", "watched", "x=y"]).code).toBe(0);
      expect(k.kubectl(["delete", "cm", "watched"]).code).toBe(0);
      const out = await waitFor(
        () => (/DELETED/.test(w.output()) ? w.output() : undefined),
        15_000,
        "watch events",
      ).catch((e: Error) => {
        throw new Error(`${e.message}; kubectl printed: ${w.output()}`);
      });
      const types = out
        .split("\n")
        .filter((l) => /^(ADDED|MODIFIED|DELETED)\s/.test(l))
        .map((l) => l.split(/\s+/)[0]);
      expect(types).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    } finally {
      w.proc.kill();
    }
  });
});
