import { beforeEach, describe, expect, it } from "vitest";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";

let app: ReturnType<typeof createEksApp>;
const ARN = "arn:aws:eks:us-west-2:111122223333:cluster/tagged";
const enc = encodeURIComponent;

beforeEach(async () => {
  app = createEksApp({
    repo: new MemoryEksRepo(),
    effects: new RecordingEffects(),
    region: "us-west-2",
    account: "111122223333",
    endpointBase: "http://127.0.0.1:8080",
    caData: "Q0E=",
  });
  await call("POST", "/clusters", {
    name: "tagged",
    roleArn: "arn:aws:iam::111122223333:role/r",
    resourcesVpcConfig: {},
    tags: { env: "dev" },
  });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

describe("tags on clusters", () => {
  it("tags, lists and untags through a percent-encoded ARN with repeated tagKeys", async () => {
    expect(enc(ARN)).toBe("arn%3Aaws%3Aeks%3Aus-west-2%3A111122223333%3Acluster%2Ftagged");
    const tag = await call("POST", `/tags/${enc(ARN)}`, { tags: { team: "a", cost: "42", tmp: "x" } });
    expect(tag.status).toBe(200);
    expect(tag.json).toEqual({});
    expect((await call("GET", `/tags/${enc(ARN)}`)).json).toEqual({
      tags: { env: "dev", team: "a", cost: "42", tmp: "x" },
    });
    const untag = await call("DELETE", `/tags/${enc(ARN)}?tagKeys=tmp&tagKeys=cost&tagKeys=absent`);
    expect(untag.status).toBe(200);
    expect(untag.json).toEqual({});
    expect((await call("GET", `/tags/${enc(ARN)}`)).json.tags).toEqual({ env: "dev", team: "a" });
    expect((await call("GET", "/clusters/tagged")).json.cluster.tags).toEqual({ env: "dev", team: "a" });
  });

  it("overwrites the value of an existing key", async () => {
    await call("POST", `/tags/${enc(ARN)}`, { tags: { env: "prod" } });
    expect((await call("GET", `/tags/${enc(ARN)}`)).json.tags).toEqual({ env: "prod" });
  });

  it("answers NotFoundException for an unknown resource", async () => {
    for (const arn of [
      "arn:aws:eks:us-west-2:111122223333:cluster/other",
      "arn:aws:eks:eu-west-1:111122223333:cluster/tagged",
      "arn:aws:eks:us-west-2:111122223333:nodegroup/tagged/ng/abc",
      "arn:aws:eks:us-west-2:111122223333:addon/tagged/coredns/abc",
    ]) {
      const res = await call("GET", `/tags/${enc(arn)}`);
      expect(res.status).toBe(404);
      expect(res.headers.get("x-amzn-ErrorType")).toBe("NotFoundException");
      expect((await call("POST", `/tags/${enc(arn)}`, { tags: { a: "b" } })).status).toBe(404);
    }
  });

  it("answers BadRequestException for bad tags and ARNs", async () => {
    const bad = async (path: string, method = "POST", body?: unknown) => {
      const res = await call(method, path, body);
      expect(res.status).toBe(400);
      expect(res.headers.get("x-amzn-ErrorType")).toBe("BadRequestException");
      return res.json.message as string;
    };
    expect(await bad(`/tags/${enc(ARN)}`, "POST", { tags: {} })).toMatch(/at 'tags'/);
    expect(await bad(`/tags/${enc(ARN)}`, "POST", {})).toMatch(/Value null at 'tags'/);
    expect(await bad(`/tags/${enc(ARN)}`, "POST", { tags: { "aws:owner": "x" } })).toMatch(/reserved/);
    expect(await bad(`/tags/${enc(ARN)}`, "POST", { tags: { ["k".repeat(129)]: "x" } })).toMatch(/128/);
    expect(await bad(`/tags/${enc(ARN)}`, "POST", { tags: { k: "v".repeat(257) } })).toMatch(/256/);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    expect(await bad(`/tags/${enc(ARN)}`, "POST", { tags: many })).toMatch(/at most 50 tags/);
    expect(await bad(`/tags/${enc(ARN)}`, "DELETE")).toMatch(/tagKeys/);
    expect(await bad(`/tags/${enc("not-an-arn")}`, "GET")).toMatch(/Invalid ARN/);
  });
});

describe("tags on add-ons", () => {
  it("tags an add-on by its ARN, separately from the cluster", async () => {
    const created = await call("POST", "/clusters/tagged/addons", { addonName: "coredns", tags: { a: "1" } });
    const arn = created.json.addon.addonArn as string;
    expect(arn).toMatch(/^arn:aws:eks:us-west-2:111122223333:addon\/tagged\/coredns\/[0-9a-f-]{36}$/);
    await call("POST", `/tags/${enc(arn)}`, { tags: { b: "2" } });
    expect((await call("GET", `/tags/${enc(arn)}`)).json.tags).toEqual({ a: "1", b: "2" });
    expect((await call("GET", "/clusters/tagged/addons/coredns")).json.addon.tags).toEqual({
      a: "1",
      b: "2",
    });
    expect((await call("GET", `/tags/${enc(ARN)}`)).json.tags).toEqual({ env: "dev" });
    await call("DELETE", `/tags/${enc(arn)}?tagKeys=a`);
    expect((await call("GET", `/tags/${enc(arn)}`)).json.tags).toEqual({ b: "2" });
  });
});
