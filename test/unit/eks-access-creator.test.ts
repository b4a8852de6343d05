import { beforeEach, describe, expect, it } from "vitest";
import { accessEntriesOf } from "../../lib/eks/access-entries.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import type { Caller } from "../../lib/eks/repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";
import { memoryEksContext } from "./eks-context.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");
const ACCT = "123456789012";
let clock: number;
let repo: MemoryEksRepo;
let app: ReturnType<typeof createEksApp>;
const enc = encodeURIComponent;

const ADMIN_ROLE = `arn:aws:iam::${ACCT}:role/Admin`;
const SESSION: Caller = {
  arn: `arn:aws:sts::${ACCT}:assumed-role/Admin/alice`,
  account: ACCT,
  userId: "AROAEXAMPLE:alice",
  principalType: "assumed-role",
  roleArn: ADMIN_ROLE,
};
const CLUSTER_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const USER = `arn:aws:iam::${ACCT}:user/bob`;

beforeEach(() => {
  clock = NOW;
  repo = new MemoryEksRepo();
  const ctx = memoryEksContext({ repo, region: "us-west-2", account: ACCT, now: () => clock });
  app = createEksApp(ctx);
});

async function call(method: string, path: string, body?: unknown, caller?: Caller) {
  const res = await app.request(
    path,
    {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    caller ? { caller } : undefined,
  );
  return { status: res.status, type: res.headers.get("x-amzn-ErrorType"), json: (await res.json()) as any };
}

const createCluster = (name: string, accessConfig?: Record<string, unknown>, caller?: Caller) =>
  call(
    "POST",
    "/clusters",
    { name, roleArn: `arn:aws:iam::${ACCT}:role/eks`, resourcesVpcConfig: {}, accessConfig },
    caller,
  );
const entries = (cluster: string) => `/clusters/${cluster}/access-entries`;
const entry = (cluster: string, principal: string) => `${entries(cluster)}/${enc(principal)}`;

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

describe("the cluster creator", () => {
  it("gets a cluster-admin access entry for its role (the session's issuer) in API_AND_CONFIG_MAP", async () => {
    await createCluster("c", { authenticationMode: "API_AND_CONFIG_MAP" }, SESSION);
    const doc = (await repo.get("c"))!.doc;
    expect(doc.creatorArn).toBe(ADMIN_ROLE);
    expect((await call("GET", entries("c"))).json).toEqual({ accessEntries: [ADMIN_ROLE] });
    const e = (await call("GET", entry("c", ADMIN_ROLE))).json.accessEntry;
    expect(e).toMatchObject({
      clusterName: "c",
      principalArn: ADMIN_ROLE,
      type: "STANDARD",
      kubernetesGroups: [],
      username: `arn:aws:sts::${ACCT}:assumed-role/Admin/{{SessionName}}`,
      createdAt: NOW / 1000,
      tags: {},
    });
    expect(e.accessEntryArn).toMatch(
      new RegExp(`^arn:aws:eks:us-west-2:${ACCT}:access-entry/c/role/${ACCT}/Admin/[0-9a-f-]{36}$`),
    );
    const pols = (await call("GET", `${entry("c", ADMIN_ROLE)}/access-policies`)).json;
    expect(pols).toEqual({
      clusterName: "c",
      principalArn: ADMIN_ROLE,
      associatedAccessPolicies: [
        {
          policyArn: CLUSTER_ADMIN,
          accessScope: { type: "cluster", namespaces: [] },
          associatedAt: NOW / 1000,
          modifiedAt: NOW / 1000,
        },
      ],
    });
    expect(accessEntriesOf(doc)).toEqual([
      {
        principalArn: ADMIN_ROLE,
        type: "STANDARD",
        kubernetesGroups: [],
        policies: [{ policyArn: CLUSTER_ADMIN, accessScope: { type: "cluster", namespaces: [] } }],
      },
    ]);
  });

  it("derives the role from the assumed-role ARN when the edge gives no roleArn", async () => {
    const { roleArn: _, ...bare } = SESSION;
    await createCluster("c", { authenticationMode: "API" }, bare);
    expect((await repo.get("c"))!.doc.creatorArn).toBe(ADMIN_ROLE);
    expect((await call("GET", entries("c"))).json.accessEntries).toEqual([ADMIN_ROLE]);
  });

  it("records a user or, without a caller, the account root as the creator", async () => {
    const user: Caller = { arn: USER, account: ACCT, userId: "AIDAX", principalType: "user" };
    await createCluster("u", { authenticationMode: "API" }, user);
    expect((await call("GET", entry("u", USER))).json.accessEntry.username).toBe(USER);
    await createCluster("r", { authenticationMode: "API" });
    const root = `arn:aws:iam::${ACCT}:root`;
    expect((await repo.get("r"))!.doc.creatorArn).toBe(root);
    expect((await call("GET", entries("r"))).json.accessEntries).toEqual([root]);
  });

  it("gets no entry with bootstrapClusterCreatorAdminPermissions false, but stays recorded", async () => {
    await createCluster(
      "c",
      { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      SESSION,
    );
    expect((await repo.get("c"))!.doc.creatorArn).toBe(ADMIN_ROLE);
    expect((await call("GET", entries("c"))).json.accessEntries).toEqual([]);
  });

  it("gets no entry in CONFIG_MAP mode (the default) until access entries are turned on", async () => {
    await createCluster("c", undefined, SESSION);
    const doc = (await repo.get("c"))!.doc;
    expect(doc.accessConfig.authenticationMode).toBe("CONFIG_MAP");
    expect(doc.creatorArn).toBe(ADMIN_ROLE);
    expect(doc.accessEntries).toBeUndefined();
    expect(accessEntriesOf(doc)).toEqual([]);

    const up = await call("POST", "/clusters/c/update-config", {
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
    });
    expect(up.json.update).toMatchObject({ type: "AccessConfigUpdate", status: "InProgress" });
    expect((await call("GET", entries("c"))).json.accessEntries).toEqual([ADMIN_ROLE]);
    expect(
      (await call("POST", "/clusters/c/update-config", { accessConfig: { authenticationMode: "API" } }))
        .status,
    ).toBe(200);
    expect((await call("GET", entries("c"))).json.accessEntries).toEqual([ADMIN_ROLE]);
    const back = await call("POST", "/clusters/c/update-config", {
      accessConfig: { authenticationMode: "CONFIG_MAP" },
    });
    await expectError(
      back,
      400,
      "InvalidParameterException",
      "Unsupported authentication mode update from API to CONFIG_MAP",
    );
  });
});

describe("CONFIG_MAP clusters", () => {
  it("refuse every access-entry operation as EKS does", async () => {
    await createCluster("cm");
    const msg =
      "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.";
    const calls = [
      call("POST", entries("cm"), { principalArn: USER }),
      call("GET", entries("cm")),
      call("GET", entry("cm", USER)),
      call("POST", entry("cm", USER), { username: "bob" }),
      call("DELETE", entry("cm", USER)),
      call("POST", `${entry("cm", USER)}/access-policies`, {
        policyArn: CLUSTER_ADMIN,
        accessScope: { type: "cluster" },
      }),
      call("GET", `${entry("cm", USER)}/access-policies`),
      call("DELETE", `${entry("cm", USER)}/access-policies/${enc(CLUSTER_ADMIN)}`),
    ];
    for (const res of await Promise.all(calls)) {
      await expectError(res, 400, "InvalidRequestException", msg);
      expect(res.json.clusterName).toBe("cm");
    }
    expect((await call("GET", "/access-policies")).status).toBe(200);
  });

  it("answers ResourceNotFoundException for an unknown cluster first", async () => {
    await expectError(
      await call("GET", entries("nope")),
      404,
      "ResourceNotFoundException",
      "No cluster found for name: nope.",
    );
  });
});
