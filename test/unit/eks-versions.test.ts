import { describe, expect, it } from "vitest";
import { RecordingEffects } from "../../lib/eks/fake-effects.ts";
import { MemoryEksRepo } from "../../lib/eks/memory-repo.ts";
import { createEksApp } from "../../lib/eks/router.ts";
import {
  CATALOG_DATE,
  DEFAULT_VERSION,
  findVersion,
  isSupported,
  KUBERNETES_VERSIONS,
  nextMinor,
  versionStatus,
} from "../../lib/eks/versions.ts";

const app = createEksApp({
  repo: new MemoryEksRepo(),
  effects: new RecordingEffects(),
  region: "us-east-1",
  account: "123456789012",
  endpointBase: "https://127.0.0.1:8443",
  caData: "Q0E=",
});

async function get(path: string) {
  const res = await app.request(path);
  return { status: res.status, json: (await res.json()) as any };
}

describe("version catalog", () => {
  it("judges support as of 2026-12-02", () => {
    expect(new Date(CATALOG_DATE).toISOString()).toBe("2026-12-02T00:00:00.000Z");
    const status = (v: string) => versionStatus(findVersion(v)!);
    expect(status("1.37")).toBe("STANDARD_SUPPORT");
    expect(status("1.35")).toBe("STANDARD_SUPPORT");
    // Extended support begins on the day standard support ends (UTC), as EKS bills it.
    expect(status("1.34")).toBe("EXTENDED_SUPPORT");
    expect(status("1.32")).toBe("EXTENDED_SUPPORT");
    expect(status("1.31")).toBe("UNSUPPORTED");
    expect(isSupported("1.32")).toBe(true);
    expect(isSupported("1.31")).toBe(false);
    expect(isSupported("1.99")).toBe(false);
    expect(isSupported(DEFAULT_VERSION)).toBe(true);
  });

  it("steps minor versions", () => {
    expect(nextMinor("1.31")).toBe("1.32");
    expect(nextMinor("1.9")).toBe("1.10");
    expect(nextMinor("latest")).toBeUndefined();
  });

  it("keeps 14 months of standard and 12 of extended support per version", () => {
    for (const k of KUBERNETES_VERSIONS) {
      const months = (a: number, b: number) =>
        (new Date(b).getUTCFullYear() - new Date(a).getUTCFullYear()) * 12 +
        new Date(b).getUTCMonth() -
        new Date(a).getUTCMonth();
      expect(months(k.releaseDate, k.endOfStandardSupport)).toBe(14);
      expect(months(k.endOfStandardSupport, k.endOfExtendedSupport)).toBe(12);
    }
  });
});

describe("DescribeClusterVersions", () => {
  it("lists the supported versions newest first with dates in epoch seconds", async () => {
    const res = await get("/cluster-versions");
    expect(res.status).toBe(200);
    const versions = res.json.clusterVersions;
    expect(versions.map((v: any) => v.clusterVersion)).toEqual([
      "1.37",
      "1.36",
      "1.35",
      "1.34",
      "1.33",
      "1.32",
    ]);
    expect(versions[0]).toEqual({
      clusterVersion: "1.37",
      clusterType: "eks",
      defaultPlatformVersion: findVersion("1.37")!.platformVersion,
      defaultVersion: DEFAULT_VERSION === "1.37",
      releaseDate: Date.parse("2026-10-02T00:00:00Z") / 1000,
      endOfStandardSupportDate: Date.parse("2027-12-02T00:00:00Z") / 1000,
      endOfExtendedSupportDate: Date.parse("2028-12-02T00:00:00Z") / 1000,
      status: "STANDARD_SUPPORT",
      versionStatus: "STANDARD_SUPPORT",
      kubernetesPatchVersion: findVersion("1.37")!.kubernetesPatchVersion,
    });
    expect(versions.filter((v: any) => v.defaultVersion)).toHaveLength(1);
  });

  it("filters by defaultOnly, includeAll, clusterVersions and status", async () => {
    const only = (await get("/cluster-versions?defaultOnly=true")).json.clusterVersions;
    expect(only.map((v: any) => v.clusterVersion)).toEqual([DEFAULT_VERSION]);
    const all = (await get("/cluster-versions?includeAll=true")).json.clusterVersions;
    expect(all.map((v: any) => v.clusterVersion)).toContain("1.29");
    expect(all.find((v: any) => v.clusterVersion === "1.30").versionStatus).toBe("UNSUPPORTED");
    const picked = (await get("/cluster-versions?clusterVersions=1.33&clusterVersions=1.35")).json
      .clusterVersions;
    expect(picked.map((v: any) => v.clusterVersion)).toEqual(["1.35", "1.33"]);
    const ext = (await get("/cluster-versions?versionStatus=EXTENDED_SUPPORT")).json.clusterVersions;
    expect(ext.map((v: any) => v.clusterVersion)).toEqual(["1.34", "1.33", "1.32"]);
    const legacy = (await get("/cluster-versions?status=standard-support")).json.clusterVersions;
    expect(legacy.map((v: any) => v.clusterVersion)).toEqual(["1.37", "1.36", "1.35"]);
    expect((await get("/cluster-versions?clusterType=eks-local-outposts")).json.clusterVersions).toEqual([]);
  });

  it("pages and validates its parameters", async () => {
    const p1 = (await get("/cluster-versions?maxResults=4")).json;
    expect(p1.clusterVersions).toHaveLength(4);
    const p2 = (await get(`/cluster-versions?maxResults=4&nextToken=${p1.nextToken}`)).json;
    expect(p2.clusterVersions.map((v: any) => v.clusterVersion)).toEqual(["1.33", "1.32"]);
    expect((await get("/cluster-versions?versionStatus=OLD")).status).toBe(400);
    expect((await get("/cluster-versions?defaultOnly=yes")).status).toBe(400);
  });
});
