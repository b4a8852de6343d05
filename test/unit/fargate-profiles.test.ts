import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import { configureFargateProfiles, fargateAdmission } from "../../lib/apiserver/admission/fargate.ts";
import type { ResourceContext } from "../../lib/apiserver/context.ts";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { chooseProfile, selectorMatches, wildcardMatch } from "../../lib/eks/fargate.ts";
import { fargateProfileLookup } from "../../lib/eks/fargate-lookup.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";

let clock: number;
let repo: MemoryEksRepo;
let app: ReturnType<typeof createEksApp>;
const ROLE = "arn:aws:iam::123456789012:role/fargate-pods";

beforeEach(async () => {
  clock = Date.parse("2026-12-06T10:00:00Z");
  repo = new MemoryEksRepo();
  app = createEksApp({
    repo,
    effects: new RecordingEffects(),
    region: "us-east-1",
    account: "123456789012",
    endpointBase: "https://127.0.0.1:8443",
    caData: "Q0E=",
    now: () => clock,
  });
  const body = { name: "fg", version: "1.32", roleArn: "arn:aws:iam::1:role/r", resourcesVpcConfig: {} };
  await call("POST", "/clusters", { ...body, bootstrapSelfManagedAddons: false });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

const profile = (name: string, extra: Record<string, unknown> = {}) => ({
  fargateProfileName: name,
  podExecutionRoleArn: ROLE,
  selectors: [{ namespace: "serverless", labels: { compute: "fargate" } }],
  ...extra,
});

const errorOf = (r: { headers: Headers; json: any }) => ({
  code: r.headers.get("x-amzn-ErrorType"),
  message: r.json.message,
});

describe("Fargate profile operations", () => {
  it("creates a profile CREATING that turns ACTIVE, with EKS's shape", async () => {
    const r = await call(
      "POST",
      "/clusters/fg/fargate-profiles",
      profile("fp-serverless", { tags: { a: "b" } }),
    );
    expect(r.status).toBe(200);
    const p = r.json.fargateProfile;
    expect(p).toMatchObject({
      fargateProfileName: "fp-serverless",
      clusterName: "fg",
      podExecutionRoleArn: ROLE,
      selectors: [{ namespace: "serverless", labels: { compute: "fargate" } }],
      status: "CREATING",
      tags: { a: "b" },
      health: { issues: [] },
    });
    expect(p.fargateProfileArn).toMatch(
      /^arn:aws:eks:us-east-1:123456789012:fargateprofile\/fg\/fp-serverless\/[0-9a-f-]{36}$/,
    );
    expect(p.subnets.length).toBeGreaterThan(0); // the cluster's subnets by default
    expect(typeof p.createdAt).toBe("number");
    clock += 5_000;
    const d = await call("GET", "/clusters/fg/fargate-profiles/fp-serverless");
    expect(d.json.fargateProfile.status).toBe("ACTIVE");
  });

  it("refuses bad input with InvalidParameterException and creates nothing", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [profile("eks-x"), /eks-/],
      [profile("none", { selectors: [] }), /at least one selector/],
      [profile("none2", { selectors: undefined }), /at least one selector/],
      [
        profile("many", {
          selectors: ["a", "b", "c", "d", "e", "f"].map((namespace) => ({ namespace })),
        }),
        /more than 5 selectors/,
      ],
      [
        profile("labels", {
          selectors: [{ namespace: "x", labels: { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6" } }],
        }),
        /more than 5 labels/,
      ],
      [{ fargateProfileName: "norole", selectors: [{ namespace: "x" }] }, /podExecutionRoleArn/],
      [profile("nons", { selectors: [{ labels: { a: "b" } }] }), /namespace/],
    ];
    for (const [body, message] of cases) {
      const r = await call("POST", "/clusters/fg/fargate-profiles", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(r).code).toBe("InvalidParameterException");
      expect(r.json.message).toMatch(message);
    }
    const list = await call("GET", "/clusters/fg/fargate-profiles");
    expect(list.json.fargateProfileNames).toEqual([]);
  });

  it("refuses a duplicate name, and a second profile while one is CREATING", async () => {
    await call("POST", "/clusters/fg/fargate-profiles", profile("fp-a"));
    const busy = await call("POST", "/clusters/fg/fargate-profiles", profile("fp-b"));
    expect(errorOf(busy)).toEqual({
      code: "ResourceInUseException",
      message:
        "Cannot create Fargate Profile fp-b because cluster fg currently has Fargate profile fp-a in status CREATING",
    });
    clock += 5_000;
    const dup = await call("POST", "/clusters/fg/fargate-profiles", profile("fp-a"));
    expect(dup.status).toBe(409);
    expect(errorOf(dup)).toEqual({
      code: "ResourceInUseException",
      message: "A Fargate Profile already exists with this name in this cluster.",
    });
    expect(dup.json.fargateProfileName).toBe("fp-a");
    expect((await call("POST", "/clusters/fg/fargate-profiles", profile("fp-b"))).status).toBe(200);
  });

  it("lists names in order with pagination, deletes to 404, and blocks DeleteCluster meanwhile", async () => {
    for (const n of ["fp-c", "fp-a", "fp-b"]) {
      expect((await call("POST", "/clusters/fg/fargate-profiles", profile(n))).status).toBe(200);
      clock += 5_000;
    }
    const page1 = await call("GET", "/clusters/fg/fargate-profiles?maxResults=2");
    expect(page1.json.fargateProfileNames).toEqual(["fp-a", "fp-b"]);
    const page2 = await call(
      "GET",
      `/clusters/fg/fargate-profiles?maxResults=2&nextToken=${page1.json.nextToken}`,
    );
    expect(page2.json).toEqual({ fargateProfileNames: ["fp-c"] });

    const del = await call("DELETE", "/clusters/fg");
    expect(errorOf(del)).toEqual({
      code: "ResourceInUseException",
      message: "Cluster has Fargate Profiles in ACTIVE/CREATING state",
    });

    const d = await call("DELETE", "/clusters/fg/fargate-profiles/fp-a");
    expect(d.status).toBe(200);
    expect(d.json.fargateProfile.status).toBe("DELETING");
    const gone = await call("GET", "/clusters/fg/fargate-profiles/fp-a");
    expect(gone.status).toBe(404);
    expect(errorOf(gone)).toEqual({
      code: "ResourceNotFoundException",
      message: "No Fargate Profile found with name: fp-a.",
    });
    const again = await call("DELETE", "/clusters/fg/fargate-profiles/fp-a");
    expect(again.status).toBe(404);
    const unknownCluster = await call("GET", "/clusters/nope/fargate-profiles");
    expect(errorOf(unknownCluster).code).toBe("ResourceNotFoundException");
  });
});

describe("Fargate profile matching", () => {
  it("matches the namespace and all of a selector's labels, with * and ? wildcards", () => {
    expect(wildcardMatch("prod*", "production")).toBe(true);
    expect(wildcardMatch("*dev", "team-dev")).toBe(true);
    expect(wildcardMatch("frontend*?", "frontend")).toBe(false);
    expect(wildcardMatch("frontend*?", "frontend1")).toBe(true);
    expect(wildcardMatch("a.b", "axb")).toBe(false);
    const s = { namespace: "serverless", labels: { compute: "fargate", tier: "web*" } };
    expect(selectorMatches(s, "serverless", { compute: "fargate", tier: "web-1", x: "y" })).toBe(true);
    expect(selectorMatches(s, "serverless", { compute: "fargate" })).toBe(false);
    expect(selectorMatches(s, "default", { compute: "fargate", tier: "web" })).toBe(false);
    expect(selectorMatches({ namespace: "serverless", labels: {} }, "serverless", {})).toBe(true);
  });

  it("picks the first matching profile by name, or the one the pod's label names", () => {
    const profiles = [
      { name: "prod-workload", selectors: [{ namespace: "apps", labels: {} }] },
      { name: "beta-workload", selectors: [{ namespace: "apps", labels: {} }] },
      { name: "other", selectors: [{ namespace: "other", labels: {} }] },
    ];
    expect(chooseProfile(profiles, "apps", {})).toBe("beta-workload");
    const asked = { "eks.amazonaws.com/fargate-profile": "prod-workload" };
    expect(chooseProfile(profiles, "apps", asked)).toBe("prod-workload");
    // The named profile must still match the pod.
    expect(chooseProfile(profiles, "apps", { "eks.amazonaws.com/fargate-profile": "other" })).toBeUndefined();
    expect(chooseProfile(profiles, "default", {})).toBeUndefined();
  });

  it("the admission lookup sees only ACTIVE profiles, and reads the record once per cache period", async () => {
    let reads = 0;
    const counting = {
      get: (n: string) => {
        reads++;
        return repo.get(n);
      },
    };
    const lookup = fargateProfileLookup(counting, () => clock);
    expect(await lookup("fg", "serverless", { compute: "fargate" })).toBeUndefined();
    await call("POST", "/clusters/fg/fargate-profiles", profile("fp-serverless"));
    clock += 1_200; // cache expired, profile still CREATING
    expect(await lookup("fg", "serverless", { compute: "fargate" })).toBeUndefined();
    clock += 500; // ACTIVE now, from the cached record: it is reread only when the cache expires
    expect(await lookup("fg", "serverless", { compute: "fargate" })).toBe("fp-serverless");
    expect(await lookup("fg", "serverless", { compute: "ec2" })).toBeUndefined();
    expect(await lookup("fg", "default", { compute: "fargate" })).toBeUndefined();
    expect(reads).toBe(2);
  });
});

describe("the Fargate admission step", () => {
  const ctx = (namespace: string) =>
    ({
      cluster: "fg",
      kind: { group: "", plural: "pods" },
      path: { namespace },
    }) as unknown as ResourceContext;
  const newPod = (labels: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "p",
      namespace: "serverless",
      labels,
      annotations: { CapacityProvisioned: "16vCPU 120GB" },
    },
    spec: { containers: [{ name: "c", image: "nginx" }], ...spec },
  });

  afterEach(() => configureFargateProfiles(undefined));

  it("gives a matching pod the fargate scheduler and its profile label, and leaves others alone", async () => {
    configureFargateProfiles(async (_c, ns, labels) =>
      ns === "serverless" && labels.compute === "fargate" ? "fp-serverless" : undefined,
    );
    const pod = newPod({ compute: "fargate" });
    await fargateAdmission(ctx("serverless"), "CREATE", pod);
    expect(pod.spec).toMatchObject({ schedulerName: "fargate-scheduler" });
    expect(pod.metadata.labels).toEqual({
      compute: "fargate",
      "eks.amazonaws.com/fargate-profile": "fp-serverless",
    });
    expect(pod.metadata.annotations).toEqual({});

    const other = newPod({ compute: "ec2" });
    await fargateAdmission(ctx("serverless"), "CREATE", other);
    expect((other.spec as { schedulerName?: string }).schedulerName).toBeUndefined();
    const custom = newPod({ compute: "fargate" }, { schedulerName: "my-scheduler" });
    await fargateAdmission(ctx("serverless"), "CREATE", custom);
    expect((custom.spec as { schedulerName?: string }).schedulerName).toBe("my-scheduler");
    const ec2 = newPod({ compute: "fargate" });
    ec2.metadata.annotations = { "eks.amazonaws.com/compute-type": "ec2" };
    await fargateAdmission(ctx("serverless"), "CREATE", ec2);
    expect((ec2.spec as { schedulerName?: string }).schedulerName).toBeUndefined();
    const update = newPod({ compute: "fargate" });
    await fargateAdmission(ctx("serverless"), "UPDATE", update);
    expect((update.spec as { schedulerName?: string }).schedulerName).toBeUndefined();
  });
});
