import { beforeEach, describe, expect, it } from "vitest";
import { accessEntriesOf } from "../../lib/eks/access-entries.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import type { Caller } from "../../lib/eks/repo.ts";
import { createEksApp, isEksPath } from "../../lib/eks/router.ts";
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
const DEV_ROLE = `arn:aws:iam::${ACCT}:role/team/dev`;
const NODE_ROLE = `arn:aws:iam::${ACCT}:role/node`;

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

describe("CreateAccessEntry / DescribeAccessEntry", () => {
  beforeEach(async () => {
    await createCluster("c", { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
  });

  it("creates a role entry with a path, described through the percent-encoded ARN the CLI sends", async () => {
    const res = await call("POST", entries("c"), {
      principalArn: DEV_ROLE,
      kubernetesGroups: ["dev", "viewers", "dev"],
      tags: { team: "a" },
      clientRequestToken: "t-1",
    });
    expect(res.status).toBe(200);
    const e = res.json.accessEntry;
    expect(e).toMatchObject({
      clusterName: "c",
      principalArn: DEV_ROLE,
      kubernetesGroups: ["dev", "viewers"],
      type: "STANDARD",
      username: `arn:aws:sts::${ACCT}:assumed-role/dev/{{SessionName}}`,
      tags: { team: "a" },
      createdAt: NOW / 1000,
      modifiedAt: NOW / 1000,
    });
    expect(e.accessEntryArn).toMatch(new RegExp(`access-entry/c/role/${ACCT}/dev/[0-9a-f-]{36}$`));
    const path = `/clusters/c/access-entries/arn%3Aaws%3Aiam%3A%3A${ACCT}%3Arole%2Fteam%2Fdev`;
    expect(path).toBe(entry("c", DEV_ROLE));
    expect(isEksPath("GET", path)).toBe(true);
    expect((await call("GET", path)).json.accessEntry).toEqual(e);
  });

  it("keeps a custom username and reports EKS's defaults per type", async () => {
    const custom = await call("POST", entries("c"), {
      principalArn: USER,
      username: "admin:{{SessionName}}",
    });
    expect(custom.json.accessEntry.username).toBe("admin:{{SessionName}}");
    const node = await call("POST", entries("c"), { principalArn: NODE_ROLE, type: "EC2_LINUX" });
    expect(node.json.accessEntry).toMatchObject({
      type: "EC2_LINUX",
      username: "system:node:{{EC2PrivateDNSName}}",
      kubernetesGroups: ["system:nodes"],
    });
    const pod = `arn:aws:iam::${ACCT}:role/pod-exec`;
    const fargate = await call("POST", entries("c"), { principalArn: pod, type: "FARGATE_LINUX" });
    expect(fargate.json.accessEntry).toMatchObject({
      username: "system:node:{{SessionName}}",
      kubernetesGroups: [],
    });
    const user = await call("POST", entries("c"), { principalArn: `arn:aws:iam::${ACCT}:user/carol` });
    expect(user.json.accessEntry.username).toBe(`arn:aws:iam::${ACCT}:user/carol`);
    expect(user.json.accessEntry.accessEntryArn).toMatch(/access-entry\/c\/user\/123456789012\/carol\//);
    const views = accessEntriesOf((await repo.get("c"))!.doc);
    expect(views.find((v) => v.principalArn === USER)?.username).toBe("admin:{{SessionName}}");
    expect(views.find((v) => v.principalArn === NODE_ROLE)).not.toHaveProperty("username");
  });

  it("refuses a second entry for a principal, but answers a retry with the same token", async () => {
    const first = await call("POST", entries("c"), { principalArn: USER, clientRequestToken: "tok" });
    const retry = await call("POST", entries("c"), { principalArn: USER, clientRequestToken: "tok" });
    expect(retry.status).toBe(200);
    expect(retry.json.accessEntry.accessEntryArn).toBe(first.json.accessEntry.accessEntryArn);
    const dup = await call("POST", entries("c"), { principalArn: USER });
    await expectError(
      dup,
      409,
      "ResourceInUseException",
      "The specified access entry resource is already in use on this cluster.",
    );
  });

  it("answers ResourceNotFoundException for an unknown principal", async () => {
    const msg =
      "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.";
    await expectError(await call("GET", entry("c", USER)), 404, "ResourceNotFoundException", msg);
    await expectError(
      await call("POST", entry("c", USER), { username: "x" }),
      404,
      "ResourceNotFoundException",
      msg,
    );
    await expectError(await call("DELETE", entry("c", USER)), 404, "ResourceNotFoundException", msg);
  });

  it("validates principals, types, usernames and groups with InvalidParameterException", async () => {
    const bad = async (body: Record<string, unknown>, message: string) =>
      expectError(await call("POST", entries("c"), body), 400, "InvalidParameterException", message);
    const format = "The principalArn parameter format is not valid";
    await bad({ principalArn: "not-an-arn" }, format);
    await bad({ principalArn: `arn:aws:sts::${ACCT}:assumed-role/Admin/alice` }, format);
    await bad({ principalArn: `arn:aws:iam::${ACCT}:group/admins` }, format);
    await bad(
      {
        principalArn: `arn:aws:iam::${ACCT}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS`,
      },
      "The principalArn can't be a service-linked role.",
    );
    for (const prefix of ["system:", "eks:", "aws:", "amazon:", "iam:"])
      await bad(
        { principalArn: USER, username: `${prefix}bob` },
        `The username must not begin with ${prefix}`,
      );
    await bad(
      { principalArn: USER, username: "{{SessionName}}" },
      "The username must contain a ':' before {{SessionName}}.",
    );
    await bad(
      { principalArn: USER, kubernetesGroups: ["system:masters"] },
      "The kubernetes group name system:masters is invalid, it cannot start with system:",
    );
    await bad(
      { principalArn: NODE_ROLE, type: "EC2_LINUX", kubernetesGroups: ["nodes"] },
      "kubernetesGroups can't be specified for access entries of type EC2_LINUX.",
    );
    await bad(
      { principalArn: "arn:aws:iam::999999999999:role/node", type: "EC2_LINUX" },
      "The principalArn must be in the same account as the cluster for access entries of type EC2_LINUX.",
    );
    await bad(
      { principalArn: USER, type: "FARGATE_LINUX" },
      "The principalArn must be an IAM role for access entries of type FARGATE_LINUX.",
    );
    await bad(
      { principalArn: USER, type: "LINUX" },
      "The type LINUX is not valid. Valid types are: STANDARD, FARGATE_LINUX, EC2_LINUX, EC2_WINDOWS, EC2, HYBRID_LINUX, HYPERPOD_LINUX.",
    );
    await bad(
      {},
      "1 validation error detected: Value null at 'principalArn' failed to satisfy constraint: Member must not be null",
    );
    // A STANDARD entry may name a principal of another account.
    expect(
      (await call("POST", entries("c"), { principalArn: "arn:aws:iam::999999999999:role/x" })).status,
    ).toBe(200);
    expect((await call("GET", entries("c"))).json.accessEntries).toEqual([
      "arn:aws:iam::999999999999:role/x",
    ]);
  });
});

describe("UpdateAccessEntry / DeleteAccessEntry / ListAccessEntries", () => {
  beforeEach(async () => {
    await createCluster("c", { authenticationMode: "API_AND_CONFIG_MAP" }, SESSION);
    await call("POST", entries("c"), { principalArn: USER, kubernetesGroups: ["a"] });
  });

  it("changes the username and replaces the groups", async () => {
    clock = NOW + 60_000;
    const res = await call("POST", entry("c", USER), { username: "bob", kubernetesGroups: ["b", "c"] });
    expect(res.json.accessEntry).toMatchObject({
      username: "bob",
      kubernetesGroups: ["b", "c"],
      createdAt: NOW / 1000,
      modifiedAt: (NOW + 60_000) / 1000,
    });
    const groupsOnly = await call("POST", entry("c", USER), { kubernetesGroups: [] });
    expect(groupsOnly.json.accessEntry).toMatchObject({ username: "bob", kubernetesGroups: [] });
    await expectError(
      await call("POST", entry("c", USER), { username: "system:bob" }),
      400,
      "InvalidParameterException",
      "The username must not begin with system:",
    );
  });

  it("refuses groups on a node entry but leaves its own with an empty list", async () => {
    await call("POST", entries("c"), { principalArn: NODE_ROLE, type: "EC2_LINUX" });
    await expectError(
      await call("POST", entry("c", NODE_ROLE), { kubernetesGroups: ["x"] }),
      400,
      "InvalidParameterException",
      "kubernetesGroups can't be specified for access entries of type EC2_LINUX.",
    );
    const res = await call("POST", entry("c", NODE_ROLE), { kubernetesGroups: [] });
    expect(res.json.accessEntry.kubernetesGroups).toEqual(["system:nodes"]);
  });

  it("deletes an entry with its policy associations", async () => {
    await call("POST", `${entry("c", USER)}/access-policies`, {
      policyArn: CLUSTER_ADMIN,
      accessScope: { type: "cluster" },
    });
    const filtered = `${entries("c")}?associatedPolicyArn=${enc(CLUSTER_ADMIN)}`;
    expect((await call("GET", filtered)).json.accessEntries).toEqual([ADMIN_ROLE, USER]);
    const del = await call("DELETE", entry("c", USER));
    expect(del).toMatchObject({ status: 200, json: {} });
    expect((await call("GET", filtered)).json.accessEntries).toEqual([ADMIN_ROLE]);
    expect((await call("GET", entry("c", USER))).status).toBe(404);
    const again = await call("POST", entries("c"), { principalArn: USER });
    expect(again.status).toBe(200);
    expect((await call("GET", `${entry("c", USER)}/access-policies`)).json.associatedAccessPolicies).toEqual(
      [],
    );
  });

  it("pages through entries in ARN order", async () => {
    for (const n of ["d", "e", "f"])
      await call("POST", entries("c"), { principalArn: `arn:aws:iam::${ACCT}:user/${n}` });
    const p1 = await call("GET", `${entries("c")}?maxResults=2`);
    expect(p1.json.accessEntries).toEqual([ADMIN_ROLE, USER]);
    const p2 = await call("GET", `${entries("c")}?maxResults=2&nextToken=${p1.json.nextToken}`);
    expect(p2.json.accessEntries).toEqual([`arn:aws:iam::${ACCT}:user/d`, `arn:aws:iam::${ACCT}:user/e`]);
    const p3 = await call("GET", `${entries("c")}?maxResults=2&nextToken=${p2.json.nextToken}`);
    expect(p3.json).toEqual({ accessEntries: [`arn:aws:iam::${ACCT}:user/f`] });
    await expectError(
      await call(
        "GET",
        `${entries("c")}?associatedPolicyArn=arn%3Aaws%3Aeks%3A%3Aaws%3Acluster-access-policy%2FNope`,
      ),
      400,
      "InvalidParameterException",
      "The policyArn arn:aws:eks::aws:cluster-access-policy/Nope is not a valid access policy.",
    );
  });

  it("tags an entry through its accessEntryArn", async () => {
    const arn = (await call("GET", entry("c", USER))).json.accessEntry.accessEntryArn as string;
    expect((await call("POST", `/tags/${enc(arn)}`, { tags: { env: "dev" } })).status).toBe(200);
    expect((await call("GET", `/tags/${enc(arn)}`)).json).toEqual({ tags: { env: "dev" } });
    expect((await call("GET", entry("c", USER))).json.accessEntry.tags).toEqual({ env: "dev" });
    await call("DELETE", `/tags/${enc(arn)}?tagKeys=env`);
    expect((await call("GET", `/tags/${enc(arn)}`)).json.tags).toEqual({});
    const stale = arn.replace(/[0-9a-f-]{36}$/, "00000000-0000-0000-0000-000000000000");
    expect((await call("GET", `/tags/${enc(stale)}`)).type).toBe("NotFoundException");
  });
});
