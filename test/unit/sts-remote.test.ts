import { describe, expect, it } from "vitest";
import { type FetchLike, principalFromArn, verifyWithSts } from "../../lib/identity/sts-remote.ts";

const URL_ = new URL(
  "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Credential=ASIAXAMPLE%2F20261206%2Fus-east-1%2Fsts%2Faws4_request",
);

function sts(status: number, body: string, seen: Record<string, string>[] = []): FetchLike {
  return async (_url, init) => {
    seen.push(init.headers);
    return { status, text: async () => body };
  };
}

describe("token verification by STS (AWS mode)", () => {
  it("sends the cluster in x-k8s-aws-id and maps the caller STS names", async () => {
    const seen: Record<string, string>[] = [];
    const body = JSON.stringify({
      GetCallerIdentityResponse: {
        GetCallerIdentityResult: {
          Arn: "arn:aws:sts::111122223333:assumed-role/Admin/alice",
          UserId: "AROAEXAMPLE:alice",
          Account: "111122223333",
        },
      },
    });
    const r = await verifyWithSts(URL_, "prod", sts(200, body, seen));
    expect(seen[0]["x-k8s-aws-id"]).toBe("prod");
    expect(r).toEqual({
      ok: true,
      principal: {
        type: "assumed-role",
        arn: "arn:aws:sts::111122223333:assumed-role/Admin/alice",
        userId: "AROAEXAMPLE:alice",
        account: "111122223333",
        name: "Admin",
        sessionName: "alice",
        roleArn: "arn:aws:iam::111122223333:role/Admin",
        accessKeyId: "ASIAXAMPLE",
      },
    });
  });

  it("reads the XML answer too", async () => {
    const xml =
      "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/ops/bob</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
    const r = await verifyWithSts(URL_, "prod", sts(200, xml));
    expect(r.ok && r.principal).toMatchObject({
      type: "user",
      name: "bob",
      arn: "arn:aws:iam::111122223333:user/ops/bob",
    });
  });

  it("refuses what STS refuses, and answers it cannot parse", async () => {
    expect(await verifyWithSts(URL_, "prod", sts(403, "<ErrorResponse/>"))).toMatchObject({ ok: false });
    expect(await verifyWithSts(URL_, "prod", sts(200, "{}"))).toMatchObject({ ok: false });
    const down: FetchLike = async () => {
      throw new Error("connect ECONNREFUSED");
    };
    expect(await verifyWithSts(URL_, "prod", down)).toMatchObject({ ok: false });
  });

  it("only maps ARNs of the account STS reported", () => {
    expect(principalFromArn("arn:aws:iam::111122223333:user/x", "AIDA", "999999999999")).toBeUndefined();
    expect(principalFromArn("arn:aws:iam::111122223333:root", "111122223333", "111122223333")?.type).toBe(
      "root",
    );
  });
});
