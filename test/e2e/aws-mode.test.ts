import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/dynamodb.ts";
import { adminKeyOf, eksToken, signedFetch } from "../auth.ts";
import { startChildStack } from "../child-stack.ts";
import { stackUrl } from "../helpers.ts";

// AWS mode (KUMULUS_TOKEN_VERIFIER=sts): a stack that checks `aws eks get-token` tokens by sending them to STS,
// as aws-iam-authenticator does on EKS, instead of its own IAM. The shared test stack plays AWS here: its STS
// answers the presigned GetCallerIdentity requests, and its IAM holds the principals.

let proc: ChildProcess | undefined;
let url: string;
let aws: string;

beforeAll(async () => {
  aws = stackUrl();
  const dataDir = mkdtempSync(path.join(tmpdir(), "kumulus-awsmode-"));
  const child = await startChildStack(dataDir, await freePort(), [], true, {
    KUMULUS_TOKEN_VERIFIER: "sts",
    KUMULUS_STS_HOSTS: new URL(aws).host,
  });
  proc = child.proc;
  url = child.url;
}, 120_000);

afterAll(() => {
  proc?.kill("SIGKILL");
});

async function get(token: string, p = "/clusters/local/api/v1/namespaces"): Promise<number> {
  const res = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${token}` } });
  await res.text();
  return res.status;
}

async function iam(action: Record<string, string>): Promise<string> {
  const res = await signedFetch(
    `${aws}/`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ Version: "2010-05-08", ...action }).toString(),
    },
    adminKeyOf(aws),
    "iam",
  );
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return text;
}

describe("AWS mode", () => {
  it("accepts a token STS vouches for, mapped by the cluster's rules", async () => {
    // The same ARN as the stack's creator (arn:aws:iam::000000000000:user/kumulus-admin), signed by "AWS".
    expect(await get(await eksToken(aws, "local", adminKeyOf(aws)))).toBe(200);
  });

  it("refuses a token signed for another cluster, or for the stack's own STS", async () => {
    expect(await get(await eksToken(aws, "elsewhere", adminKeyOf(aws)))).toBe(401);
    expect(await get(await eksToken(url, "local", adminKeyOf(url)))).toBe(401);
  });

  it("maps an AWS principal through aws-auth, and refuses it before", async () => {
    const name = `aws-mode-${process.pid}`;
    await iam({ Action: "CreateUser", UserName: name });
    const xml = await iam({ Action: "CreateAccessKey", UserName: name });
    const key = {
      accessKeyId: /<AccessKeyId>([^<]+)</.exec(xml)![1],
      secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(xml)![1],
    };
    const token = await eksToken(aws, "local", key);
    expect(await get(token)).toBe(401);
    const admin = await eksToken(aws, "local", adminKeyOf(aws));
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "aws-auth", namespace: "kube-system" },
      data: {
        mapUsers: `- userarn: arn:aws:iam::000000000000:user/${name}\n  username: ${name}\n  groups: [viewers]\n`,
      },
    };
    const put = await fetch(`${url}/clusters/local/api/v1/namespaces/kube-system/configmaps`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify(cm),
    });
    expect(put.status, await put.text()).toBe(201);
    // Mapped now, so authenticated; RBAC grants the group nothing yet.
    let status = 0;
    for (let i = 0; i < 20 && status !== 403; i++) {
      status = await get(await eksToken(aws, "local", key));
      if (status !== 403) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(403);
  });
});
