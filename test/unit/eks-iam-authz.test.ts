import { beforeEach, describe, expect, it } from "vitest";
import { AwsAuth } from "../../lib/edge/aws-auth.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import type { Caller } from "../../lib/eks/repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";
import { type Principal, rootPrincipal } from "../../lib/identity/iam/credentials.ts";
import { ADMINISTRATOR_ACCESS } from "../../lib/identity/iam/managed-policies.ts";
import { ACCOUNT, type Fixture, fixture, T0, tagText } from "../../lib/identity/iam/testing.ts";
import { memoryEksContext } from "./eks-context.ts";

// IAM authorization of the EKS API: each operation needs `eks:<Operation>` on the cluster's ARN (or `*`, or
// the tagged resource), decided by the caller's identity policies through the authorizer the edge binds to
// each verified principal. Denials are AWS's AccessDeniedException with IAM's wording.

const REGION = "us-west-2";
const arnOf = (name: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`;
const A = arnOf("a");
const B = arnOf("b");

let fx: Fixture;
let auth: AwsAuth;
let repo: MemoryEksRepo;
let app: ReturnType<typeof createEksApp>;

function callerOf(p: Principal): Caller {
  return { arn: p.arn, account: p.account, userId: p.userId, principalType: p.type };
}

async function call(as: Principal | undefined, method: string, path: string, body?: unknown) {
  const res = await app.request(
    path,
    {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    as ? { caller: callerOf(as), authorize: auth.eksAuthorizer(as) } : undefined,
  );
  return { status: res.status, type: res.headers.get("x-amzn-ErrorType"), json: (await res.json()) as any };
}

const createBody = (name: string) => ({
  name,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`,
  resourcesVpcConfig: {},
  accessConfig: { authenticationMode: "API" },
});

/** A user with an access key, and optionally an inline policy of these statements, made through IAM's API. */
async function newUser(name: string, statements?: unknown[]): Promise<Principal> {
  const ok = (r: { status: number; body: string }) => expect(r.status, r.body).toBe(200);
  ok(await fx.call("iam", { Action: "CreateUser", UserName: name }, fx.admin));
  if (statements)
    ok(
      await fx.call(
        "iam",
        {
          Action: "PutUserPolicy",
          UserName: name,
          PolicyName: "eks",
          PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
        },
        fx.admin,
      ),
    );
  const key = await fx.call("iam", { Action: "CreateAccessKey", UserName: name }, fx.admin);
  ok(key);
  return fx.principalOf(tagText(key.body, "AccessKeyId")!);
}

const denied = (p: Principal, action: string, resource: string) => ({
  status: 403,
  type: "AccessDeniedException",
  json: {
    message: `User: ${p.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  },
});

beforeEach(async () => {
  fx = await fixture();
  auth = new AwsAuth(fx.repo, ACCOUNT);
  repo = new MemoryEksRepo();
  const ctx = memoryEksContext({ repo, region: REGION, account: ACCOUNT, now: () => T0 });
  app = createEksApp(ctx);
  // Made without an authorizer: the unit tests' default, the account root.
  for (const name of ["a", "b"])
    expect((await call(undefined, "POST", "/clusters", createBody(name))).status).toBe(200);
});

describe("EKS operations need their eks: action", () => {
  it("denies DescribeCluster to a user with no policy, in IAM's words", async () => {
    const nobody = await newUser("nobody");
    expect(await call(nobody, "GET", "/clusters/a")).toEqual(denied(nobody, "eks:DescribeCluster", A));
    expect(nobody.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/nobody`);
  });

  it("confines eks:DescribeCluster on cluster A's ARN to A; ListClusters needs eks:ListClusters on *", async () => {
    const alice = await newUser("alice", [{ Effect: "Allow", Action: "eks:DescribeCluster", Resource: A }]);
    const a = await call(alice, "GET", "/clusters/a");
    expect(a.status).toBe(200);
    expect(a.json.cluster.arn).toBe(A);
    expect(await call(alice, "GET", "/clusters/b")).toEqual(denied(alice, "eks:DescribeCluster", B));
    expect(await call(alice, "GET", "/clusters")).toEqual(denied(alice, "eks:ListClusters", "*"));
    // Another action on the allowed cluster is still refused.
    expect(await call(alice, "DELETE", "/clusters/a")).toEqual(denied(alice, "eks:DeleteCluster", A));
    expect((await repo.get("a"))?.doc.status).toBe("ACTIVE");

    const lister = await newUser("lister", [{ Effect: "Allow", Action: "eks:ListClusters", Resource: "*" }]);
    const list = await call(lister, "GET", "/clusters");
    expect(list.status).toBe(200);
    expect(list.json.clusters.sort()).toEqual(["a", "b"]);
  });

  it("matches actions case-insensitively and resources with wildcards", async () => {
    const bob = await newUser("bob", [
      { Effect: "Allow", Action: "EKS:describe*", Resource: `arn:aws:eks:*:${ACCOUNT}:cluster/a*` },
    ]);
    expect((await call(bob, "GET", "/clusters/a")).status).toBe(200);
    expect((await call(bob, "GET", "/clusters/b")).status).toBe(403);
  });

  it("authorizes a cluster's sub-resources on the cluster's ARN", async () => {
    const carol = await newUser("carol", [
      {
        Effect: "Allow",
        Action: ["eks:ListAddons", "eks:ListAccessEntries", "eks:CreateAccessEntry"],
        Resource: A,
      },
    ]);
    expect((await call(carol, "GET", "/clusters/a/addons")).status).toBe(200);
    expect(await call(carol, "GET", "/clusters/b/addons")).toEqual(denied(carol, "eks:ListAddons", B));
    const principalArn = `arn:aws:iam::${ACCOUNT}:role/dev`;
    expect((await call(carol, "POST", "/clusters/a/access-entries", { principalArn })).status).toBe(200);
    expect(await call(carol, "POST", "/clusters/b/access-entries", { principalArn })).toEqual(
      denied(carol, "eks:CreateAccessEntry", B),
    );
    const path = `/clusters/a/access-entries/${encodeURIComponent(principalArn)}/access-policies`;
    const policyArn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
    expect(await call(carol, "POST", path, { policyArn, accessScope: { type: "cluster" } })).toEqual(
      denied(carol, "eks:AssociateAccessPolicy", A),
    );
    expect((await repo.get("b"))?.doc.accessEntries?.[principalArn]).toBeUndefined();
  });

  it("authorizes CreateCluster on the new cluster's ARN and the tag operations on the ARN they name", async () => {
    const dave = await newUser("dave", [
      { Effect: "Allow", Action: ["eks:CreateCluster", "eks:TagResource"], Resource: arnOf("dave-*") },
    ]);
    expect((await call(dave, "POST", "/clusters", createBody("dave-1"))).status).toBe(200);
    expect(await call(dave, "POST", "/clusters", createBody("other"))).toEqual(
      denied(dave, "eks:CreateCluster", arnOf("other")),
    );
    expect(await repo.get("other")).toBeUndefined();
    const tag = (arn: string) =>
      call(dave, "POST", `/tags/${encodeURIComponent(arn)}`, { tags: { team: "x" } });
    expect((await tag(arnOf("dave-1"))).status).toBe(200);
    expect(await tag(A)).toEqual(denied(dave, "eks:TagResource", A));
    expect(await call(dave, "GET", `/tags/${encodeURIComponent(arnOf("dave-1"))}`)).toEqual(
      denied(dave, "eks:ListTagsForResource", arnOf("dave-1")),
    );
  });

  it("checks the account-wide catalogs on *", async () => {
    const erin = await newUser("erin");
    expect(await call(erin, "GET", "/cluster-versions")).toEqual(
      denied(erin, "eks:DescribeClusterVersions", "*"),
    );
    expect(await call(erin, "GET", "/addons/supported-versions")).toEqual(
      denied(erin, "eks:DescribeAddonVersions", "*"),
    );
    expect(await call(erin, "GET", "/access-policies")).toEqual(denied(erin, "eks:ListAccessPolicies", "*"));
  });

  it("says when an explicit Deny refused", async () => {
    const frank = await newUser("frank", [
      { Effect: "Allow", Action: "eks:*", Resource: "*" },
      { Effect: "Deny", Action: "eks:DeleteCluster", Resource: B },
    ]);
    expect((await call(frank, "DELETE", "/clusters/a")).status).toBe(200);
    expect(await call(frank, "DELETE", "/clusters/b")).toEqual({
      status: 403,
      type: "AccessDeniedException",
      json: {
        message: `User: ${frank.arn} is not authorized to perform: eks:DeleteCluster on resource: ${B} with an explicit deny in an identity-based policy`,
      },
    });
  });
});

describe("principals that may do everything", () => {
  it("lets a user with AdministratorAccess attached, the stack's admin and the account root call anything", async () => {
    const gina = await newUser("gina");
    expect(
      (
        await fx.call(
          "iam",
          { Action: "AttachUserPolicy", UserName: "gina", PolicyArn: ADMINISTRATOR_ACCESS },
          fx.admin,
        )
      ).status,
    ).toBe(200);
    for (const p of [gina, fx.admin, rootPrincipal(ACCOUNT)]) {
      const name = `c-${p.userId.toLowerCase().slice(0, 8)}`;
      expect((await call(p, "GET", "/clusters")).status).toBe(200);
      expect((await call(p, "POST", "/clusters", createBody(name))).status).toBe(200);
      expect((await call(p, "GET", `/clusters/${name}`)).status).toBe(200);
      expect((await call(p, "GET", "/clusters/b/addons")).status).toBe(200);
      expect((await call(p, "GET", "/access-policies")).status).toBe(200);
      expect((await call(p, "POST", `/tags/${encodeURIComponent(B)}`, { tags: { k: "v" } })).status).toBe(
        200,
      );
      expect((await call(p, "DELETE", `/clusters/${name}`)).status).toBe(200);
    }
  });
});

describe("role sessions", () => {
  it("are bounded by the role's policies and narrowed by a session policy", async () => {
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" },
      ],
    });
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/ops`;
    const steps: Record<string, string>[] = [
      { Action: "CreateRole", RoleName: "ops", AssumeRolePolicyDocument: trust },
      { Action: "AttachRolePolicy", RoleName: "ops", PolicyArn: ADMINISTRATOR_ACCESS },
    ];
    for (const params of steps) expect((await fx.call("iam", params, fx.admin)).status).toBe(200);
    const session = async (extra: Record<string, string>) => {
      const r = await fx.call(
        "sts",
        { Action: "AssumeRole", RoleArn: roleArn, RoleSessionName: "ops-session", ...extra },
        fx.admin,
      );
      expect(r.status, r.body).toBe(200);
      return fx.principalOf(tagText(r.body, "AccessKeyId")!);
    };
    const full = await session({});
    expect((await call(full, "DELETE", "/clusters/b")).status).toBe(200);
    const narrow = await session({
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "eks:Describe*", Resource: "*" }],
      }),
    });
    expect((await call(narrow, "GET", "/clusters/a")).status).toBe(200);
    const del = await call(narrow, "DELETE", "/clusters/a");
    expect(del.status).toBe(403);
    expect(del.json.message).toBe(
      `User: ${narrow.arn} is not authorized to perform: eks:DeleteCluster on resource: ${A} because no session policy allows the eks:DeleteCluster action`,
    );
  });
});
