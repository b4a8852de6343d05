import { spawnSync } from "node:child_process";
import path from "node:path";
import { createLocalJWKSet, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { adminKeyOf, REGION, signedFetch } from "../auth.ts";
import { awsCliEnv, newCluster, stackUrl, type TestCluster } from "../helpers.ts";

// Service-account identity end to end: `kubectl create token` mints JWTs that verify against the JWKS the
// cluster's OIDC issuer serves (where DescribeCluster says), work as bearer tokens exactly while what they
// name exists, and only at their own cluster; legacy token Secrets are filled in; and IRSA: an annotated
// ServiceAccount's pods get the webhook's variables and token volume, and STS exchanges the token for the
// role's credentials.

let url: string;
let a: TestCluster;
let b: TestCluster;

beforeAll(async () => {
  url = stackUrl();
  [a, b] = await Promise.all([newCluster("sa-a"), newCluster("sa-b")]);
}, 120_000);

async function issuerOf(cluster: string): Promise<string> {
  const res = await signedFetch(`${url}/clusters/${cluster}`);
  const body = (await res.json()) as { cluster: { identity: { oidc: { issuer: string } } } };
  return body.cluster.identity.oidc.issuer;
}

function token(k: TestCluster, args: string[]): string {
  const r = k.kubectl(["create", "token", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

async function asToken(k: TestCluster, t: string, p: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(`${url}/clusters/${k.name}${p}`, {
    ...init,
    headers: { authorization: `Bearer ${t}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  await res.text();
  return res.status;
}

describe("service-account tokens", () => {
  it("verifies a `kubectl create token --audience=sts.amazonaws.com` JWT against the issuer's JWKS", async () => {
    const jwt = token(a, ["default", "--audience=sts.amazonaws.com"]);
    const issuer = await issuerOf(a.name);
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery.issuer).toBe(issuer);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { kty: string }[] };
    expect(jwks.keys[0].kty).toBe("RSA");
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks as never), {
      issuer,
      audience: "sts.amazonaws.com",
    });
    expect(payload.sub).toBe("system:serviceaccount:default:default");
    // Cluster B's keys do not verify cluster A's token.
    const other = (await (await fetch(`${await issuerOf(b.name)}/keys`)).json()) as never;
    await expect(
      jwtVerify(jwt, createLocalJWKSet(other), { audience: "sts.amazonaws.com" }),
    ).rejects.toThrow();
  });

  it("authenticates as the account while it exists, at its own cluster only", async () => {
    expect(a.kubectl(["create", "serviceaccount", "robot"]).code).toBe(0);
    const jwt = token(a, ["robot"]);
    const whoami = await fetch(`${url}/clusters/${a.name}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
    });
    const review = (await whoami.json()) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(review.status.userInfo.username).toBe("system:serviceaccount:default:robot");
    expect(review.status.userInfo.groups).toContain("system:serviceaccounts:default");
    // Authenticated, but RBAC grants a fresh account nothing.
    expect(await asToken(a, jwt, "/api/v1/namespaces/default/pods")).toBe(403);
    expect(
      a.kubectl([
        "create",
        "rolebinding",
        "robot-view",
        "--clusterrole=view",
        "--serviceaccount=default:robot",
      ]).code,
    ).toBe(0);
    expect(await asToken(a, jwt, "/api/v1/namespaces/default/pods")).toBe(200);
    expect(await asToken(a, jwt, "/api/v1/namespaces/kube-system/pods")).toBe(403);
    // Another cluster's API refuses it; so does its own after the account is deleted.
    expect(await asToken(b, jwt, "/api/v1/namespaces/default/pods")).toBe(401);
    expect(a.kubectl(["delete", "serviceaccount", "robot"]).code).toBe(0);
    expect(await asToken(a, jwt, "/api/v1/namespaces/default/pods")).toBe(401);
  });

  it("fills in a legacy token Secret, whose token stops working when the Secret goes", async () => {
    expect(a.kubectl(["create", "serviceaccount", "builder"]).code).toBe(0);
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      metadata: { name: "builder-token", annotations: { "kubernetes.io/service-account.name": "builder" } },
    };
    expect(a.kubectl(["apply", "-f", "-"], JSON.stringify(secret)).code).toBe(0);
    const got = JSON.parse(a.kubectl(["get", "secret", "builder-token", "-o", "json"]).stdout);
    expect(got.metadata.annotations["kubernetes.io/service-account.uid"]).toBeTruthy();
    expect(Buffer.from(got.data.namespace, "base64").toString()).toBe("default");
    const jwt = Buffer.from(got.data.token, "base64").toString();
    expect(await asToken(a, jwt, "/api/v1/namespaces/default/pods")).toBe(403);
    expect(a.kubectl(["delete", "secret", "builder-token"]).code).toBe(0);
    expect(await asToken(a, jwt, "/api/v1/namespaces/default/pods")).toBe(401);
  });

  it("binds a token to a pod, and refuses it once the pod is gone or the expiry is too short", async () => {
    expect(a.kubectl(["create", "serviceaccount", "bound"]).code).toBe(0);
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "holder" },
      spec: { serviceAccountName: "bound", containers: [{ name: "c", image: "nginx" }] },
    };
    expect(a.kubectl(["apply", "-f", "-"], JSON.stringify(pod)).code).toBe(0);
    const jwt = token(a, ["bound", "--bound-object-kind=Pod", "--bound-object-name=holder"]);
    expect(await asToken(a, jwt, "/api/v1/namespaces/default/pods")).toBe(403);
    expect(a.kubectl(["delete", "pod", "holder", "--grace-period=0", "--force"]).code).toBe(0);
    expect(await asToken(a, jwt, "/api/v1/namespaces/default/pods")).toBe(401);
    const short = a.kubectl(["create", "token", "bound", "--duration=1m"]);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain("may not specify a duration less than 10 minutes");
  });
});

describe("IAM roles for service accounts", () => {
  it("injects the webhook's env and token volume, and STS trades the token for the role", async () => {
    const issuer = await issuerOf(a.name);
    const host = issuer.replace(/^https:\/\//, "");
    const role = `irsa-${process.pid}`;
    const trust = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::000000000000:oidc-provider/${host}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${host}:sub`]: "system:serviceaccount:default:s3-reader",
              [`${host}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    };
    const env = awsCliEnv(url, adminKeyOf(url), path.dirname(a.kubeconfig));
    const aws = (args: string[], e: Record<string, string> = env) => {
      const r = spawnSync("aws", [...args, "--output", "json"], {
        encoding: "utf8",
        env: e,
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const roleArn = aws([
      "iam",
      "create-role",
      "--role-name",
      role,
      "--assume-role-policy-document",
      JSON.stringify(trust),
    ]).Role.Arn as string;
    const sa = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "s3-reader", annotations: { "eks.amazonaws.com/role-arn": roleArn } },
    };
    expect(a.kubectl(["apply", "-f", "-"], JSON.stringify(sa)).code).toBe(0);
    expect(
      a.kubectl([
        "run",
        "reader",
        "--image=amazon/aws-cli",
        "--overrides",
        JSON.stringify({ spec: { serviceAccountName: "s3-reader" } }),
      ]).code,
    ).toBe(0);
    const pod = JSON.parse(a.kubectl(["get", "pod", "reader", "-o", "json"]).stdout);
    const names = Object.fromEntries(
      pod.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(names).toMatchObject({
      AWS_ROLE_ARN: roleArn,
      AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
      AWS_REGION: REGION,
    });
    const volume = pod.spec.volumes.find((v: { name: string }) => v.name === "aws-iam-token");
    expect(volume.projected.sources[0].serviceAccountToken).toEqual({
      audience: "sts.amazonaws.com",
      expirationSeconds: 86400,
      path: "token",
    });
    // What the SDK in that pod does with the projected token.
    const jwt = token(a, ["s3-reader", "--audience=sts.amazonaws.com"]);
    const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, ...anonymous } = env;
    const out = aws(
      [
        "sts",
        "assume-role-with-web-identity",
        "--role-arn",
        roleArn,
        "--role-session-name",
        "pod",
        "--web-identity-token",
        jwt,
      ],
      anonymous,
    );
    expect(out.AssumedRoleUser.Arn).toBe(`arn:aws:sts::000000000000:assumed-role/${role}/pod`);
    expect(out.SubjectFromWebIdentityToken).toBe("system:serviceaccount:default:s3-reader");
    // Another account's token does not satisfy the trust policy's sub condition.
    const wrong = token(a, ["default", "--audience=sts.amazonaws.com"]);
    const denied = spawnSync(
      "aws",
      [
        "sts",
        "assume-role-with-web-identity",
        "--role-arn",
        roleArn,
        "--role-session-name",
        "other",
        "--web-identity-token",
        wrong,
      ],
      { encoding: "utf8", env: anonymous, timeout: 60_000 },
    );
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain("AccessDenied");
  });
});

describe("EKS Pod Identity", () => {
  it("injects the agent's env and token, and AssumeRoleForPodIdentity returns the role's credentials", async () => {
    const key = adminKeyOf(url);
    const env = awsCliEnv(url, key, path.dirname(a.kubeconfig));
    const aws = (args: string[]) => {
      const r = spawnSync("aws", [...args, "--output", "json"], { encoding: "utf8", env, timeout: 60_000 });
      return { code: r.status ?? -1, out: r.stdout ? JSON.parse(r.stdout) : undefined, err: r.stderr ?? "" };
    };
    const role = `pod-identity-${process.pid}`;
    const trust = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    };
    const created = aws([
      "iam",
      "create-role",
      "--role-name",
      role,
      "--assume-role-policy-document",
      JSON.stringify(trust),
    ]);
    expect(created.code, created.err).toBe(0);
    const roleArn = created.out.Role.Arn as string;
    const assoc = aws([
      "eks",
      "create-pod-identity-association",
      "--cluster-name",
      a.name,
      "--namespace",
      "default",
      "--service-account",
      "app-sa",
      "--role-arn",
      roleArn,
    ]);
    expect(assoc.code, assoc.err).toBe(0);
    expect(a.kubectl(["create", "serviceaccount", "app-sa"]).code).toBe(0);
    // Associations reach the webhook within seconds, as on EKS.
    await new Promise((r) => setTimeout(r, 5_500));
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "app" },
      spec: { serviceAccountName: "app-sa", containers: [{ name: "c", image: "nginx" }] },
    };
    expect(a.kubectl(["apply", "-f", "-"], JSON.stringify(pod)).code).toBe(0);
    const got = JSON.parse(a.kubectl(["get", "pod", "app", "-o", "json"]).stdout);
    const vars = Object.fromEntries(
      got.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(vars).toMatchObject({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
        "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
    });
    expect(got.spec.volumes.map((v: { name: string }) => v.name)).toContain("eks-pod-identity-token");
    // What the node's agent does with the pod's projected token.
    const jwt = token(a, [
      "app-sa",
      "--audience=pods.eks.amazonaws.com",
      "--bound-object-kind=Pod",
      "--bound-object-name=app",
    ]);
    const creds = aws(["eks-auth", "assume-role-for-pod-identity", "--cluster-name", a.name, "--token", jwt]);
    expect(creds.code, creds.err).toBe(0);
    expect(creds.out.subject).toEqual({ namespace: "default", serviceAccount: "app-sa" });
    expect(creds.out.podIdentityAssociation.associationId).toBe(assoc.out.association.associationId);
    expect(creds.out.assumedRoleUser.arn).toContain(`:assumed-role/${role}/eks-${a.name}`);
    // The credentials are the role's: STS says so.
    const who = spawnSync("aws", ["sts", "get-caller-identity", "--output", "json"], {
      encoding: "utf8",
      timeout: 60_000,
      env: {
        ...env,
        AWS_ACCESS_KEY_ID: creds.out.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.out.credentials.secretAccessKey,
        AWS_SESSION_TOKEN: creds.out.credentials.sessionToken,
      },
    });
    expect(JSON.parse(who.stdout).Arn).toBe(creds.out.assumedRoleUser.arn);
    // A token for another audience, or for an account with no association, gets nothing.
    const sts = token(a, [
      "app-sa",
      "--audience=sts.amazonaws.com",
      "--bound-object-kind=Pod",
      "--bound-object-name=app",
    ]);
    expect(
      aws(["eks-auth", "assume-role-for-pod-identity", "--cluster-name", a.name, "--token", sts]).err,
    ).toContain("InvalidTokenException");
    expect(a.kubectl(["run", "plain", "--image=nginx"]).code).toBe(0);
    const other = token(a, [
      "default",
      "--audience=pods.eks.amazonaws.com",
      "--bound-object-kind=Pod",
      "--bound-object-name=plain",
    ]);
    expect(
      aws(["eks-auth", "assume-role-for-pod-identity", "--cluster-name", a.name, "--token", other]).err,
    ).toContain("ResourceNotFoundException");
  });
});
