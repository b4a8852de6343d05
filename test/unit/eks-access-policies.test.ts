import { beforeEach, describe, expect, it } from "vitest";
import { accessEntriesOf } from "../../lib/eks/access-entries.ts";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");
const ACCT = "111122223333";
let clock: number;
let repo: MemoryEksRepo;
let app: ReturnType<typeof createEksApp>;
const enc = encodeURIComponent;
const policy = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;
const ROLE = `arn:aws:iam::${ACCT}:role/dev`;
const NODE = `arn:aws:iam::${ACCT}:role/node`;
const policies = (principal: string) => `/clusters/c/access-entries/${enc(principal)}/access-policies`;

beforeEach(async () => {
  clock = NOW;
  repo = new MemoryEksRepo();
  app = createEksApp({
    repo,
    effects: new RecordingEffects(),
    region: "eu-west-1",
    account: ACCT,
    endpointBase: "https://127.0.0.1:8443",
    caData: "Q0E=",
    now: () => clock,
  });
  await call("POST", "/clusters", {
    name: "c",
    roleArn: `arn:aws:iam::${ACCT}:role/eks`,
    resourcesVpcConfig: {},
    accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
  });
  await call("POST", "/clusters/c/access-entries", { principalArn: ROLE });
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

describe("ListAccessPolicies", () => {
  it("lists the fifteen EKS access policies, paginated", async () => {
    const all = (await call("GET", "/access-policies")).json;
    expect(all.nextToken).toBeUndefined();
    expect(all.accessPolicies).toHaveLength(15);
    expect(all.accessPolicies.slice(0, 5)).toEqual(
      [
        "AmazonEKSAdminPolicy",
        "AmazonEKSAdminViewPolicy",
        "AmazonEKSClusterAdminPolicy",
        "AmazonEKSEditPolicy",
        "AmazonEKSViewPolicy",
      ].map((name) => ({ name, arn: policy(name) })),
    );
    expect(all.accessPolicies.map((p: { name: string }) => p.name)).toContain("AmazonEKSNetworkingPolicy");
    const p1 = (await call("GET", "/access-policies?maxResults=10")).json;
    const p2 = (await call("GET", `/access-policies?maxResults=10&nextToken=${p1.nextToken}`)).json;
    expect([...p1.accessPolicies, ...p2.accessPolicies]).toEqual(all.accessPolicies);
    expect(p2.nextToken).toBeUndefined();
  });
});

describe("AssociateAccessPolicy", () => {
  it("associates at cluster scope, and re-associating changes the scope", async () => {
    const res = await call("POST", policies(ROLE), {
      policyArn: policy("AmazonEKSViewPolicy"),
      accessScope: { type: "cluster" },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      clusterName: "c",
      principalArn: ROLE,
      associatedAccessPolicy: {
        policyArn: policy("AmazonEKSViewPolicy"),
        accessScope: { type: "cluster", namespaces: [] },
        associatedAt: NOW / 1000,
        modifiedAt: NOW / 1000,
      },
    });
    clock = NOW + 5_000;
    const again = await call("POST", policies(ROLE), {
      policyArn: policy("AmazonEKSViewPolicy"),
      accessScope: { type: "namespace", namespaces: ["dev", "team-*", "dev"] },
    });
    expect(again.json.associatedAccessPolicy).toEqual({
      policyArn: policy("AmazonEKSViewPolicy"),
      accessScope: { type: "namespace", namespaces: ["dev", "team-*"] },
      associatedAt: NOW / 1000,
      modifiedAt: (NOW + 5_000) / 1000,
    });
    await call("POST", policies(ROLE), {
      policyArn: policy("AmazonEKSEditPolicy"),
      accessScope: { type: "cluster" },
    });
    const listed = (await call("GET", policies(ROLE))).json.associatedAccessPolicies;
    expect(listed.map((p: { policyArn: string }) => p.policyArn)).toEqual([
      policy("AmazonEKSEditPolicy"),
      policy("AmazonEKSViewPolicy"),
    ]);
    expect(accessEntriesOf((await repo.get("c"))!.doc)[0].policies).toEqual([
      {
        policyArn: policy("AmazonEKSViewPolicy"),
        accessScope: { type: "namespace", namespaces: ["dev", "team-*"] },
      },
      { policyArn: policy("AmazonEKSEditPolicy"), accessScope: { type: "cluster", namespaces: [] } },
    ]);
  });

  it("validates the scope and the policy", async () => {
    const bad = async (body: unknown, message: string) =>
      expectError(await call("POST", policies(ROLE), body), 400, "InvalidParameterException", message);
    const view = policy("AmazonEKSViewPolicy");
    await bad(
      { policyArn: view, accessScope: { type: "namespace" } },
      "At least one namespace must be specified when the accessScope type is namespace.",
    );
    await bad(
      { policyArn: view, accessScope: { type: "namespace", namespaces: [] } },
      "At least one namespace must be specified when the accessScope type is namespace.",
    );
    await bad(
      { policyArn: view, accessScope: { type: "cluster", namespaces: ["dev"] } },
      "Namespaces can't be specified when the accessScope type is cluster.",
    );
    await bad(
      { policyArn: view, accessScope: { type: "namespace", namespaces: ["Dev_1"] } },
      "The namespace Dev_1 is not valid.",
    );
    await bad(
      { policyArn: policy("AmazonEKSSuperPolicy"), accessScope: { type: "cluster" } },
      "The policyArn arn:aws:eks::aws:cluster-access-policy/AmazonEKSSuperPolicy is not a valid access policy.",
    );
    await bad(
      { policyArn: view, accessScope: { type: "everything" } },
      "1 validation error detected: Value 'everything' at 'accessScope.type' failed to satisfy constraint: Member must satisfy enum value set: [cluster, namespace]",
    );
  });

  it("refuses policies on node entries, except Auto Mode's node policy on an EC2 entry", async () => {
    await call("POST", "/clusters/c/access-entries", { principalArn: NODE, type: "EC2_LINUX" });
    await expectError(
      await call("POST", policies(NODE), {
        policyArn: policy("AmazonEKSViewPolicy"),
        accessScope: { type: "cluster" },
      }),
      400,
      "InvalidParameterException",
      'This operation can only be performed on Access Entries with a type of "STANDARD".',
    );
    const auto = `arn:aws:iam::${ACCT}:role/auto-node`;
    await call("POST", "/clusters/c/access-entries", { principalArn: auto, type: "EC2" });
    const ok = await call("POST", policies(auto), {
      policyArn: policy("AmazonEKSAutoNodePolicy"),
      accessScope: { type: "cluster" },
    });
    expect(ok.status).toBe(200);
  });

  it("answers ResourceNotFoundException for an unknown entry", async () => {
    await expectError(
      await call("POST", policies(NODE), {
        policyArn: policy("AmazonEKSViewPolicy"),
        accessScope: { type: "cluster" },
      }),
      404,
      "ResourceNotFoundException",
      "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.",
    );
    expect((await call("GET", policies(NODE))).status).toBe(404);
  });
});

describe("DisassociateAccessPolicy / ListAssociatedAccessPolicies", () => {
  it("removes one association through the percent-encoded policy ARN", async () => {
    for (const name of ["AmazonEKSViewPolicy", "AmazonEKSEditPolicy"])
      await call("POST", policies(ROLE), { policyArn: policy(name), accessScope: { type: "cluster" } });
    const path = `${policies(ROLE)}/${enc(policy("AmazonEKSViewPolicy"))}`;
    expect(path).toContain("arn%3Aaws%3Aeks%3A%3Aaws%3Acluster-access-policy%2FAmazonEKSViewPolicy");
    const res = await call("DELETE", path);
    expect(res).toMatchObject({ status: 200, json: {} });
    const left = (await call("GET", policies(ROLE))).json;
    expect(left.associatedAccessPolicies.map((p: { policyArn: string }) => p.policyArn)).toEqual([
      policy("AmazonEKSEditPolicy"),
    ]);
    await expectError(
      await call("DELETE", path),
      404,
      "ResourceNotFoundException",
      `The policyArn ${policy("AmazonEKSViewPolicy")} is not associated with the specified principalArn.`,
    );
  });

  it("pages, repeating clusterName and principalArn on every page", async () => {
    for (const name of ["AmazonEKSViewPolicy", "AmazonEKSEditPolicy", "AmazonEKSAdminPolicy"])
      await call("POST", policies(ROLE), { policyArn: policy(name), accessScope: { type: "cluster" } });
    const p1 = (await call("GET", `${policies(ROLE)}?maxResults=2`)).json;
    expect(p1.associatedAccessPolicies).toHaveLength(2);
    const p2 = (await call("GET", `${policies(ROLE)}?maxResults=2&nextToken=${p1.nextToken}`)).json;
    expect(p2).toMatchObject({ clusterName: "c", principalArn: ROLE });
    expect(p2.nextToken).toBeUndefined();
    expect(p2.associatedAccessPolicies.map((p: { policyArn: string }) => p.policyArn)).toEqual([
      policy("AmazonEKSViewPolicy"),
    ]);
  });
});
