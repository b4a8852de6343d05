import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster } from "../helpers.ts";

// Bad input gets a clear Status and changes nothing that is stored.

let k: TestCluster;
const CM = "/api/v1/namespaces/default/configmaps";

beforeAll(async () => {
  k = await newCluster("badinput");
  const r = await k.api("POST", CM, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "keep" },
    data: { a: "1" },
  });
  expect(r.status).toBe(201);
});

async function unchanged() {
  const r = await k.api("GET", `${CM}/keep`);
  expect(r.status).toBe(200);
  expect(r.body.data).toEqual({ a: "1" });
  const list = await k.api("GET", CM);
  expect(list.body.items.map((i: any) => i.metadata.name)).toEqual(["keep"]);
  return r.body.metadata.resourceVersion;
}

function expectStatus(r: { status: number; body: any }, code: number, reason: string) {
  expect(r.status).toBe(code);
  expect(r.body.kind).toBe("Status");
  expect(r.body.status).toBe("Failure");
  expect(r.body.code).toBe(code);
  expect(r.body.reason).toBe(reason);
  expect(r.body.message.length).toBeGreaterThan(10);
}

describe("bad input", () => {
  it("malformed JSON and YAML", async () => {
    const rv = await unchanged();
    expectStatus(await k.api("POST", CM, "{not json"), 400, "BadRequest");
    expectStatus(await k.api("PUT", `${CM}/keep`, '{"apiVersion":"v1",'), 400, "BadRequest");
    const y = await k.api("POST", CM, "kind: ConfigMap\n  bad: [indent", {
      "content-type": "application/yaml",
    });
    expectStatus(y, 400, "BadRequest");
    expect(await unchanged()).toBe(rv);
  });

  it("a YAML body is accepted", async () => {
    const y = await k.api(
      "POST",
      "/api/v1/namespaces/default/secrets",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: y\nstringData:\n  k: v\n",
      { "content-type": "application/yaml" },
    );
    expect(y.status, y.text).toBe(201);
    expect(y.body.data).toEqual({ k: Buffer.from("v").toString("base64") });
    expect(y.body.stringData).toBeUndefined();
  });

  it("a wrong kind for the URL", async () => {
    const rv = await unchanged();
    const r = await k.api("POST", CM, { apiVersion: "v1", kind: "Secret", metadata: { name: "x" } });
    expectStatus(r, 400, "BadRequest");
    const r2 = await k.api("POST", CM, { apiVersion: "apps/v1", kind: "ConfigMap", metadata: { name: "x" } });
    expectStatus(r2, 400, "BadRequest");
    expect(await unchanged()).toBe(rv);
  });

  it("a namespace mismatch", async () => {
    const rv = await unchanged();
    const r = await k.api("POST", CM, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", namespace: "kube-system" },
    });
    expectStatus(r, 400, "BadRequest");
    expect(r.body.message).toContain("does not match the namespace");
    expect(await unchanged()).toBe(rv);
  });

  it("unknown fields under fieldValidation=Strict", async () => {
    const rv = await unchanged();
    const r = await k.api("POST", `${CM}?fieldValidation=Strict`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x" },
      dta: { a: "b" },
    });
    expectStatus(r, 400, "BadRequest");
    expect(r.body.message).toContain('unknown field "dta"');
    const warn = await k.api("POST", `${CM}?fieldValidation=Warn`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "warned" },
      dta: { a: "b" },
    });
    expect(warn.status).toBe(201);
    expect(warn.headers.get("warning")).toContain("unknown field");
    expect(warn.body.dta).toBeUndefined();
    await k.api("DELETE", `${CM}/warned`);
    expect(await unchanged()).toBe(rv);
  });

  it("over-limit bodies", async () => {
    const rv = await unchanged();
    const huge = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "huge" },
      data: { a: "x".repeat(4 * 1024 * 1024) },
    };
    expectStatus(await k.api("POST", CM, huge), 413, "RequestEntityTooLarge");
    const big = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "big" },
      data: { a: "x".repeat(2 * 1024 * 1024) },
    };
    expectStatus(await k.api("POST", CM, big), 413, "RequestEntityTooLarge");
    const upd = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "keep" },
      data: { a: "x".repeat(2 * 1024 * 1024) },
    };
    expectStatus(await k.api("PUT", `${CM}/keep`, upd), 413, "RequestEntityTooLarge");
    expect(await unchanged()).toBe(rv);
  });

  it("invalid objects get 422 with field causes", async () => {
    const rv = await unchanged();
    const r = await k.api("POST", "/apis/apps/v1/namespaces/default/deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: {
        selector: { matchLabels: { app: "d" } },
        template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c" }] } },
      },
    });
    expectStatus(r, 422, "Invalid");
    expect(r.body.details.causes).toContainEqual(
      expect.objectContaining({
        field: "spec.template.spec.containers[0].image",
        reason: "FieldValueRequired",
      }),
    );
    expect(await unchanged()).toBe(rv);
  });

  it("unknown resources, bad selectors and missing objects", async () => {
    expectStatus(await k.api("GET", "/api/v1/namespaces/default/widgets"), 404, "NotFound");
    expectStatus(await k.api("GET", `${CM}/nope`), 404, "NotFound");
    expectStatus(await k.api("GET", `${CM}?labelSelector=a%20in%20(`), 400, "BadRequest");
    expectStatus(await k.api("GET", `${CM}?fieldSelector=spec.foo%3Dbar`), 400, "BadRequest");
    expectStatus(await k.api("GET", `${CM}?continue=garbage`), 400, "BadRequest");
    expectStatus(
      await k.api("POST", "/api/v1/namespaces/nowhere/configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x" },
      }),
      404,
      "NotFound",
    );
  });

  it("methods a resource does not serve, and query values Go would not parse", async () => {
    // kube publishes no deletecollection for namespaces, and answers 405 to it; every namespace stays.
    expectStatus(await k.api("DELETE", "/api/v1/namespaces"), 405, "MethodNotAllowed");
    const ns = (await k.api("GET", "/api/v1/namespaces")).body as { items: { metadata: { name: string } }[] };
    expect(ns.items.map((n) => n.metadata.name)).toContain("kube-system");
    const disco = (await k.api("GET", "/api/v1")).body as { resources: { name: string; verbs: string[] }[] };
    expect(disco.resources.find((r) => r.name === "namespaces")?.verbs).not.toContain("deletecollection");
    // The review kinds are create-only, as kube publishes them.
    const authz = (await k.api("GET", "/apis/authorization.k8s.io/v1")).body as typeof disco;
    expect(authz.resources.find((r) => r.name === "selfsubjectaccessreviews")?.verbs).toEqual(["create"]);
    expectStatus(
      await k.api("POST", `${CM}/named`, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "named" },
      }),
      405,
      "MethodNotAllowed",
    );
    expectStatus(await k.api("GET", `${CM}?watch=yes`), 400, "BadRequest");
    // What the long fuzz run found: a limit past int64, and finalizers of the wrong type.
    expectStatus(await k.api("GET", `${CM}?limit=99999999999999999999`), 400, "BadRequest");
    expect((await k.api("GET", `${CM}?limit=2000000000`)).status).toBe(200);
    expectStatus(
      await k.api("POST", CM, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "fin", finalizers: "x" },
      }),
      422,
      "Invalid",
    );
    // Go's strconv spellings of true start a watch (the Python client sends watch=True).
    const res = await fetch(`${k.base}${CM}?watch=True&timeoutSeconds=5`, {
      headers: { authorization: `Bearer ${k.token()}` },
    });
    await k.api("POST", CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "watched-true" } });
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("watched-true")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toContain('"type":"ADDED"');
  });
});

describe("cluster isolation", () => {
  it("two clusters cannot see each other's objects", async () => {
    const other = await newCluster("isolation");
    expect((await other.api("GET", `${CM}/keep`)).status).toBe(404);
    expect((await other.api("GET", CM)).body.items).toEqual([]);
    const r = await other.api("POST", CM, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "keep" },
      data: { a: "other" },
    });
    expect(r.status).toBe(201);
    expect((await k.api("GET", `${CM}/keep`)).body.data).toEqual({ a: "1" });
    expect((await other.api("GET", `${CM}/keep`)).body.data).toEqual({ a: "other" });
    const missing = await fetch(`${k.base.replace(k.name, "no-such-cluster")}/api/v1/namespaces`);
    expect(missing.status).toBe(404);
  });
});
