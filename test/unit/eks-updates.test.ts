import { beforeEach, describe, expect, it } from "vitest";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";
import { memoryEksContext } from "./eks-context.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");
let repo: MemoryEksRepo;
let app: ReturnType<typeof createEksApp>;

beforeEach(async () => {
  repo = new MemoryEksRepo();
  const ctx = memoryEksContext({ repo, region: "eu-west-1", account: "123456789012", now: () => NOW });
  app = createEksApp(ctx);
  await call("POST", "/clusters", {
    name: "up",
    version: "1.32",
    roleArn: "arn:aws:iam::1:role/r",
    resourcesVpcConfig: {},
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

/** Leaves an InProgress update on the cluster, as a concurrent request would. */
async function seedInProgress(createdAt = NOW) {
  const { doc, version } = (await repo.get("up"))!;
  doc.status = "UPDATING";
  doc.updates.push({
    id: "busy-1",
    type: "LoggingUpdate",
    status: "InProgress",
    params: [],
    createdAt,
    errors: [],
  });
  await repo.replace(doc, version);
}

describe("UpdateClusterVersion", () => {
  it("moves one minor version up: InProgress in the response, Successful and ACTIVE after", async () => {
    const res = await call("POST", "/clusters/up/updates", { version: "1.33" });
    expect(res.status).toBe(200);
    const u = res.json.update;
    expect(u).toMatchObject({
      type: "VersionUpdate",
      status: "InProgress",
      errors: [],
      createdAt: NOW / 1000,
    });
    expect(u.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(u.params[0]).toEqual({ type: "Version", value: "1.33" });
    expect(u.params[1].type).toBe("PlatformVersion");
    expect(u.params[1].value).toMatch(/^eks\.\d+$/);

    const c = (await call("GET", "/clusters/up")).json.cluster;
    expect(c.version).toBe("1.33");
    expect(c.status).toBe("ACTIVE");
    expect(c.platformVersion).toBe(u.params[1].value);
    const d = (await call("GET", `/clusters/up/updates/${u.id}`)).json.update;
    expect(d.status).toBe("Successful");
    expect((await call("GET", "/clusters/up/updates")).json).toEqual({ updateIds: [u.id] });
  });

  it.each([
    ["two minors", "1.34"],
    ["the same version", "1.32"],
    ["a downgrade", "1.31"],
  ])("refuses %s with EKS's wording", async (_label, version) => {
    const res = await call("POST", "/clusters/up/updates", { version });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-ErrorType")).toBe("InvalidParameterException");
    expect(res.json).toEqual({
      clusterName: "up",
      message: `Unsupported Kubernetes minor version update from 1.32 to ${version}`,
    });
    expect((await repo.get("up"))!.doc.updates).toEqual([]);
  });

  it("refuses a version past the newest EKS offers", async () => {
    const { doc, version } = (await repo.get("up"))!;
    doc.version = "1.37";
    await repo.replace(doc, version);
    const res = await call("POST", "/clusters/up/updates", { version: "1.38" });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe("unsupported Kubernetes version 1.38");
  });

  it("returns the same update for a retried clientRequestToken", async () => {
    const a = (await call("POST", "/clusters/up/updates", { version: "1.33", clientRequestToken: "t1" })).json
      .update;
    const b = (await call("POST", "/clusters/up/updates", { version: "1.33", clientRequestToken: "t1" })).json
      .update;
    expect(b.id).toBe(a.id);
    expect(b.status).toBe("Successful");
    expect((await call("GET", "/clusters/up")).json.cluster.version).toBe("1.33");
  });

  it("is ResourceInUse while another update is in progress", async () => {
    await seedInProgress();
    const res = await call("POST", "/clusters/up/updates", { version: "1.33" });
    expect(res.status).toBe(409);
    expect(res.headers.get("x-amzn-ErrorType")).toBe("ResourceInUseException");
    expect(res.json.message).toBe(
      "Cannot VersionUpdate because cluster up currently has update busy-1 in progress",
    );
  });

  it("expires an update left InProgress by a crash", async () => {
    await seedInProgress(NOW - 10 * 60_000);
    expect((await call("POST", "/clusters/up/updates", { version: "1.33" })).status).toBe(200);
    const stale = (await call("GET", "/clusters/up/updates/busy-1")).json.update;
    expect(stale.status).toBe("Failed");
  });

  it("is a 404 for an unknown cluster", async () => {
    const res = await call("POST", "/clusters/nope/updates", { version: "1.33" });
    expect(res.status).toBe(404);
    expect(res.json.message).toBe("No cluster found for name: nope.");
  });
});

describe("UpdateClusterConfig", () => {
  const config = (body: unknown) => call("POST", "/clusters/up/update-config", body);

  it("turns logging on as a LoggingUpdate and refuses a no-op", async () => {
    const res = await config({ logging: { clusterLogging: [{ types: ["api", "audit"], enabled: true }] } });
    expect(res.json.update.type).toBe("LoggingUpdate");
    const param = res.json.update.params[0];
    expect(param.type).toBe("ClusterLogging");
    expect(JSON.parse(param.value).clusterLogging[0]).toEqual({ types: ["api", "audit"], enabled: true });
    const c = (await call("GET", "/clusters/up")).json.cluster;
    expect(c.logging.clusterLogging).toEqual([
      { types: ["api", "audit"], enabled: true },
      { types: ["authenticator", "controllerManager", "scheduler"], enabled: false },
    ]);
    const again = await config({ logging: { clusterLogging: [{ types: ["api"], enabled: true }] } });
    expect(again.status).toBe(400);
    expect(again.json.message).toBe("No changes needed for the logging config provided");
  });

  it("changes endpoint access as an EndpointAccessUpdate", async () => {
    const res = await config({
      resourcesVpcConfig: { endpointPrivateAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
    });
    expect(res.json.update.type).toBe("EndpointAccessUpdate");
    expect(res.json.update.params).toEqual([
      { type: "EndpointPublicAccess", value: "true" },
      { type: "EndpointPrivateAccess", value: "true" },
      { type: "PublicAccessCidrs", value: '["203.0.113.0/24"]' },
    ]);
    const vpc = (await call("GET", "/clusters/up")).json.cluster.resourcesVpcConfig;
    expect(vpc).toMatchObject({ endpointPrivateAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
    const same = await config({ resourcesVpcConfig: { endpointPrivateAccess: true } });
    expect(same.json.message).toBe(
      "Cluster is already at the desired configuration with endpointPrivateAccess: true , endpointPublicAccess: true, and Public Endpoint Restrictions: [203.0.113.0/24]",
    );
    const none = await config({
      resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: false },
    });
    expect(none.status).toBe(400);
  });

  it("allows CONFIG_MAP → API_AND_CONFIG_MAP → API and never back", async () => {
    const skip = await config({ accessConfig: { authenticationMode: "API" } });
    expect(skip.json.message).toBe("Unsupported authentication mode update from CONFIG_MAP to API");
    const step1 = await config({ accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } });
    expect(step1.json.update).toMatchObject({
      type: "AccessConfigUpdate",
      params: [{ type: "AuthenticationMode", value: "API_AND_CONFIG_MAP" }],
    });
    expect((await config({ accessConfig: { authenticationMode: "API" } })).status).toBe(200);
    const back = await config({ accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } });
    expect(back.status).toBe(400);
    expect(back.json.message).toBe("Unsupported authentication mode update from API to API_AND_CONFIG_MAP");
    expect((await call("GET", "/clusters/up")).json.cluster.accessConfig.authenticationMode).toBe("API");
  });

  it("changes the upgrade policy as an UpgradePolicyUpdate", async () => {
    const res = await config({ upgradePolicy: { supportType: "STANDARD" } });
    expect(res.json.update.type).toBe("UpgradePolicyUpdate");
    expect((await call("GET", "/clusters/up")).json.cluster.upgradePolicy).toEqual({
      supportType: "STANDARD",
    });
  });

  it("refuses an empty request and two kinds of change at once", async () => {
    expect((await config({})).json.message).toBe("Invalid type for cluster update.");
    const two = await config({
      logging: { clusterLogging: [{ types: ["api"], enabled: true }] },
      upgradePolicy: { supportType: "STANDARD" },
    });
    expect(two.status).toBe(400);
    expect(two.json.message).toBe("Only one type of update can be allowed.");
    expect((await repo.get("up"))!.doc.updates).toEqual([]);
  });

  it("names the blocking update when one is in progress", async () => {
    await seedInProgress();
    const res = await config({ upgradePolicy: { supportType: "STANDARD" } });
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(
      "Cannot UpgradePolicyUpdate because cluster up currently has update busy-1 in progress",
    );
  });
});

describe("DescribeUpdate / ListUpdates", () => {
  it("is a 404 for an unknown update id", async () => {
    const res = await call("GET", "/clusters/up/updates/abc");
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ clusterName: "up", message: "No update found for ID: abc" });
  });

  it("pages update ids oldest first", async () => {
    const ids: string[] = [];
    for (const supportType of ["STANDARD", "EXTENDED", "STANDARD"])
      ids.push(
        (await call("POST", "/clusters/up/update-config", { upgradePolicy: { supportType } })).json.update.id,
      );
    const p1 = (await call("GET", "/clusters/up/updates?maxResults=2")).json;
    expect(p1.updateIds).toEqual(ids.slice(0, 2));
    const p2 = (await call("GET", `/clusters/up/updates?maxResults=2&nextToken=${p1.nextToken}`)).json;
    expect(p2).toEqual({ updateIds: [ids[2]] });
    expect((await call("GET", "/clusters/up/updates?nextToken=bogus")).status).toBe(400);
  });
});
