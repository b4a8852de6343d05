import { beforeEach, describe, expect, it } from "vitest";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { podIdentityAssociationsOf } from "../../lib/eks/pod-identity.ts";
import { createEksApp, isEksPath } from "../../lib/eks/router.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");
const ACCT = "123456789012";
let clock: number;
let repo: MemoryEksRepo;
let app: ReturnType<typeof createEksApp>;
const enc = encodeURIComponent;
const ROLE = `arn:aws:iam::${ACCT}:role/s3-reader`;
const BASE = "/clusters/c/pod-identity-associations";

beforeEach(async () => {
  clock = NOW;
  repo = new MemoryEksRepo();
  app = createEksApp({
    repo,
    effects: new RecordingEffects(),
    region: "us-east-1",
    account: ACCT,
    endpointBase: "https://127.0.0.1:8443",
    caData: "Q0E=",
    now: () => clock,
  });
  // The default CONFIG_MAP mode: Pod Identity does not depend on access entries.
  await call("POST", "/clusters", {
    name: "c",
    roleArn: `arn:aws:iam::${ACCT}:role/eks`,
    resourcesVpcConfig: {},
  });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("x-amzn-ErrorType"), json: (await res.json()) as any };
}

async function expectError(
  res: Awaited<ReturnType<typeof call>>,
  status: number,
  type: string,
  message: string,
) {
  expect({ status: res.status, type: res.type, message: res.json.message }).toEqual({
    status,
    type,
    message,
  });
}

const create = (namespace: string, serviceAccount: string, extra: Record<string, unknown> = {}) =>
  call("POST", BASE, { namespace, serviceAccount, roleArn: ROLE, ...extra });

describe("CreatePodIdentityAssociation / DescribePodIdentityAssociation", () => {
  it("creates an association with EKS's id and ARN shapes", async () => {
    expect(isEksPath("POST", BASE)).toBe(true);
    const res = await create("default", "app", { tags: { team: "a" } });
    expect(res.status).toBe(200);
    const a = res.json.association;
    expect(a.associationId).toMatch(/^a-[a-z0-9]{17}$/);
    expect(a).toEqual({
      clusterName: "c",
      namespace: "default",
      serviceAccount: "app",
      roleArn: ROLE,
      associationArn: `arn:aws:eks:us-east-1:${ACCT}:podidentityassociation/c/${a.associationId}`,
      associationId: a.associationId,
      tags: { team: "a" },
      createdAt: NOW / 1000,
      modifiedAt: NOW / 1000,
      disableSessionTags: false,
    });
    expect((await call("GET", `${BASE}/${a.associationId}`)).json.association).toEqual(a);
    expect(podIdentityAssociationsOf((await repo.get("c"))!.doc)).toEqual([
      {
        associationId: a.associationId,
        associationArn: a.associationArn,
        namespace: "default",
        serviceAccount: "app",
        roleArn: ROLE,
        disableSessionTags: false,
      },
    ]);
  });

  it("mints an external id with a target role and keeps the session policy", async () => {
    const target = "arn:aws:iam::999999999999:role/cross";
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });
    const a = (await create("ns", "sa", { targetRoleArn: target, disableSessionTags: true, policy })).json
      .association;
    expect(a).toMatchObject({ targetRoleArn: target, disableSessionTags: true, policy });
    expect(a.externalId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a second association for a service account, but answers a retry with the same token", async () => {
    const first = (await create("default", "app", { clientRequestToken: "tok" })).json.association;
    const retry = await create("default", "app", { clientRequestToken: "tok" });
    expect(retry.json.association.associationId).toBe(first.associationId);
    await expectError(
      await create("default", "app", { roleArn: `arn:aws:iam::${ACCT}:role/other` }),
      409,
      "ResourceInUseException",
      `Association already exists: ${first.associationId}`,
    );
    expect((await create("default", "other-app")).status).toBe(200);
  });

  it("validates the request with InvalidParameterException", async () => {
    const bad = async (res: Promise<Awaited<ReturnType<typeof call>>>, message: string) =>
      expectError(await res, 400, "InvalidParameterException", message);
    await bad(create("default", "app", { roleArn: "role/x" }), "The roleArn parameter format is not valid");
    await bad(
      create("default", "app", { roleArn: "arn:aws:iam::999999999999:role/x" }),
      "The roleArn must be in the same account as the cluster.",
    );
    await bad(create("Default", "app"), "The namespace Default is not a valid Kubernetes namespace name.");
    await bad(
      create("default", "App_1"),
      "The serviceAccount App_1 is not a valid Kubernetes service account name.",
    );
    await bad(
      create("default", "app", { targetRoleArn: "nope" }),
      "The targetRoleArn parameter format is not valid",
    );
    await bad(create("default", "app", { policy: "{" }), "The policy is not a valid JSON policy document.");
    await bad(
      call("POST", BASE, { namespace: "default", roleArn: ROLE }),
      "1 validation error detected: Value null at 'serviceAccount' failed to satisfy constraint: Member must not be null",
    );
    await bad(call("GET", `${BASE}/a-short`), "The parameter associationId should be 19 characters long.");
  });

  it("answers ResourceNotFoundException for an unknown association or cluster", async () => {
    await expectError(
      await call("GET", `${BASE}/a-0000000000000000a`),
      404,
      "ResourceNotFoundException",
      "No association found for id: a-0000000000000000a.",
    );
    await expectError(
      await call("POST", "/clusters/nope/pod-identity-associations", {
        namespace: "d",
        serviceAccount: "s",
        roleArn: ROLE,
      }),
      404,
      "ResourceNotFoundException",
      "No cluster found for name: nope.",
    );
  });
});

describe("ListPodIdentityAssociations", () => {
  it("lists summaries filtered by namespace and service account, paginated", async () => {
    const ids: Record<string, string> = {};
    for (const [ns, sa] of [
      ["b", "x"],
      ["a", "y"],
      ["a", "x"],
    ])
      ids[`${ns}/${sa}`] = (await create(ns, sa)).json.association.associationId;
    const all = (await call("GET", BASE)).json.associations;
    expect(
      all.map((a: { namespace: string; serviceAccount: string }) => `${a.namespace}/${a.serviceAccount}`),
    ).toEqual(["a/x", "a/y", "b/x"]);
    expect(all[0]).toEqual({
      clusterName: "c",
      namespace: "a",
      serviceAccount: "x",
      associationArn: `arn:aws:eks:us-east-1:${ACCT}:podidentityassociation/c/${ids["a/x"]}`,
      associationId: ids["a/x"],
    });
    expect((await call("GET", `${BASE}?namespace=a`)).json.associations).toHaveLength(2);
    const sa = (await call("GET", `${BASE}?serviceAccount=x`)).json.associations;
    expect(sa.map((a: { associationId: string }) => a.associationId)).toEqual([ids["a/x"], ids["b/x"]]);
    expect((await call("GET", `${BASE}?namespace=b&serviceAccount=y`)).json).toEqual({ associations: [] });
    const p1 = (await call("GET", `${BASE}?maxResults=2`)).json;
    const p2 = (await call("GET", `${BASE}?maxResults=2&nextToken=${p1.nextToken}`)).json;
    expect(p2).toEqual({ associations: [all[2]] });
  });
});

describe("UpdatePodIdentityAssociation / DeletePodIdentityAssociation", () => {
  it("changes the role and target role, and removes the target with an empty string", async () => {
    const id = (await create("default", "app")).json.association.associationId;
    clock = NOW + 1_000;
    const other = `arn:aws:iam::${ACCT}:role/writer`;
    const target = "arn:aws:iam::999999999999:role/cross";
    const up = (await call("POST", `${BASE}/${id}`, { roleArn: other, targetRoleArn: target })).json
      .association;
    expect(up).toMatchObject({
      roleArn: other,
      targetRoleArn: target,
      modifiedAt: (NOW + 1_000) / 1000,
      createdAt: NOW / 1000,
    });
    expect(up.externalId).toMatch(/^[0-9a-f-]{36}$/);
    const same = (await call("POST", `${BASE}/${id}`, { disableSessionTags: true })).json.association;
    expect(same).toMatchObject({
      targetRoleArn: target,
      externalId: up.externalId,
      disableSessionTags: true,
    });
    const cleared = (await call("POST", `${BASE}/${id}`, { targetRoleArn: "" })).json.association;
    expect(cleared.targetRoleArn).toBeUndefined();
    expect(cleared.externalId).toBeUndefined();
    await expectError(
      await call("POST", `${BASE}/${id}`, { roleArn: "arn:aws:iam::999999999999:role/x" }),
      400,
      "InvalidParameterException",
      "The roleArn must be in the same account as the cluster.",
    );
  });

  it("deletes an association and answers it as it was", async () => {
    const a = (await create("default", "app")).json.association;
    const del = await call("DELETE", `${BASE}/${a.associationId}`);
    expect(del.json.association).toEqual(a);
    expect((await call("GET", `${BASE}/${a.associationId}`)).status).toBe(404);
    expect((await call("DELETE", `${BASE}/${a.associationId}`)).status).toBe(404);
    expect((await create("default", "app")).status).toBe(200);
  });

  it("tags an association through its ARN", async () => {
    const a = (await create("default", "app")).json.association;
    await call("POST", `/tags/${enc(a.associationArn)}`, { tags: { k: "v" } });
    expect((await call("GET", `/tags/${enc(a.associationArn)}`)).json.tags).toEqual({ k: "v" });
    expect((await call("GET", `${BASE}/${a.associationId}`)).json.association.tags).toEqual({ k: "v" });
  });
});
