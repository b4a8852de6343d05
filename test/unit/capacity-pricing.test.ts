import { describe, expect, it } from "vitest";
import { instanceTypes, requireInstanceType } from "../../lib/capacity/catalog.ts";
import {
  dayIndex,
  fargatePrice,
  fnv1a32,
  offeringPrice,
  onDemandPrice,
  SPOT_DAILY_DRIFT,
  SPOT_MAX_DISCOUNT,
  SPOT_MIN_DISCOUNT,
  spotDiscount,
  spotPrice,
} from "../../lib/capacity/pricing.ts";
import {
  isRegionName,
  listedRegions,
  priceMultiplier,
  privateDnsSuffix,
  regionInfo,
  regionOfZone,
  UNLISTED_REGION_MULTIPLIER,
  zoneIdOf,
  zonesOf,
} from "../../lib/capacity/regions.ts";

// Regions, zones and the price rules: on-demand by region, simulated spot (deterministic, cheaper, varying by
// family and zone), Fargate.

describe("regions", () => {
  it("lists the zones of the common regions", () => {
    expect(zonesOf("us-east-1")).toEqual(["a", "b", "c", "d", "e", "f"].map((z) => `us-east-1${z}`));
    expect(zonesOf("us-west-2")).toEqual(["a", "b", "c", "d"].map((z) => `us-west-2${z}`));
    expect(zonesOf("eu-west-1")).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(zonesOf("ap-northeast-1")).toEqual(["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
    expect(listedRegions().length).toBeGreaterThan(25);
    for (const r of listedRegions()) {
      const info = regionInfo(r);
      expect(info.zones.length, r).toBeGreaterThanOrEqual(2);
      expect(info.zoneIds).toHaveLength(info.zones.length);
      for (const z of info.zones) expect(regionOfZone(z)).toBe(r);
    }
  });

  it("gives unlisted but well-formed regions zones a–c and the default multiplier, and refuses other names", () => {
    expect(isRegionName("mx-central-1")).toBe(true);
    expect(zonesOf("mx-central-1")).toEqual(["mx-central-1a", "mx-central-1b", "mx-central-1c"]);
    expect(zoneIdOf("mx-central-1b")).toBe("mxc1-az2");
    expect(priceMultiplier("mx-central-1")).toBe(UNLISTED_REGION_MULTIPLIER);
    for (const bad of ["", "useast1", "us-east", "US-EAST-1", "us-east-1a"])
      expect(() => regionInfo(bad), bad).toThrow(/not a region name/);
  });

  it("names zone ids and DNS suffixes", () => {
    expect(zoneIdOf("us-east-1a")).toBe("use1-az1");
    expect(zoneIdOf("us-west-1c")).toBe("usw1-az3");
    expect(zoneIdOf("us-east-1z")).toBeUndefined();
    expect(zoneIdOf("nonsense")).toBeUndefined();
    expect(privateDnsSuffix("us-east-1")).toBe("ec2.internal");
    expect(privateDnsSuffix("eu-west-1")).toBe("eu-west-1.compute.internal");
  });
});

describe("on-demand prices", () => {
  it("are the catalog's us-east-1 prices, scaled per region", () => {
    expect(onDemandPrice("m5.large")).toBe(0.096);
    expect(onDemandPrice("m5.large", "us-east-1")).toBe(0.096);
    expect(onDemandPrice("m5.large", "us-west-2")).toBe(0.096);
    expect(onDemandPrice("m5.large", "eu-west-1")).toBe(0.10704);
    expect(onDemandPrice("m5.large", "sa-east-1")).toBeCloseTo(0.153, 3);
    expect(onDemandPrice("m5.large", "mx-central-1")).toBe(0.12);
    // Every type scales by the same factor in a region.
    for (const t of ["c7g.large", "r6i.4xlarge", "p4d.24xlarge"]) {
      const base = requireInstanceType(t).onDemandUSDPerHour;
      expect(onDemandPrice(t, "ap-northeast-1") / base).toBeCloseTo(priceMultiplier("ap-northeast-1"), 4);
    }
    expect(() => onDemandPrice("m5.huge")).toThrow(/unknown instance type/);
  });
});

describe("simulated spot prices", () => {
  it("use a stable hash (FNV-1a 32)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("are 55–80 % below on-demand for every type in every zone of us-east-1", () => {
    for (const t of instanceTypes()) {
      for (const zone of zonesOf("us-east-1")) {
        const od = onDemandPrice(t);
        const spot = spotPrice(t, zone);
        expect(spot, `${t.name} ${zone}`).toBeLessThan(od);
        expect(spot).toBeGreaterThan(0);
        const d = spotDiscount(t.family, zone);
        expect(d).toBeGreaterThanOrEqual(SPOT_MIN_DISCOUNT);
        expect(d).toBeLessThan(SPOT_MAX_DISCOUNT);
        expect(Math.abs(spot - od * (1 - d))).toBeLessThanOrEqual(0.000005 + 1e-12);
      }
    }
  });

  it("vary by family and by zone, but not by size within a family", () => {
    const zones = zonesOf("us-east-1");
    const m5 = zones.map((z) => spotDiscount("m5", z));
    expect(new Set(m5).size).toBe(zones.length);
    const families = [...new Set(instanceTypes().map((t) => t.family))];
    const inA = new Set(families.map((f) => spotDiscount(f, "us-east-1a")));
    expect(inA.size).toBe(families.length);
    // Spread over the whole range.
    expect(Math.min(...inA)).toBeLessThan(0.57);
    expect(Math.max(...inA)).toBeGreaterThan(0.78);
    const ratio = (t: string) => spotPrice(t, "us-east-1b") / onDemandPrice(t);
    expect(ratio("m5.4xlarge")).toBeCloseTo(ratio("m5.24xlarge"), 4);
    expect(ratio("m5.4xlarge")).not.toBeCloseTo(ratio("c5.4xlarge"), 4);
  });

  it("are deterministic, follow the region's multiplier and drift within bounds by day", () => {
    expect(spotPrice("m5.large", "us-east-1a")).toBe(spotPrice("m5.large", "us-east-1a"));
    const eu = spotPrice("m5.large", "eu-west-1a");
    expect(eu).toBeCloseTo(
      onDemandPrice("m5.large", "eu-west-1") * (1 - spotDiscount("m5", "eu-west-1a")),
      5,
    );
    const day = dayIndex(Date.parse("2026-03-01T12:00:00Z"));
    expect(day).toBe(20513);
    const base = spotDiscount("c6i", "us-east-1c");
    const days = Array.from({ length: 30 }, (_, i) => spotDiscount("c6i", "us-east-1c", day + i));
    expect(new Set(days).size).toBeGreaterThan(20);
    for (const d of days) {
      expect(Math.abs(d - base)).toBeLessThanOrEqual(SPOT_DAILY_DRIFT + 1e-12);
      expect(d).toBeGreaterThanOrEqual(SPOT_MIN_DISCOUNT);
      expect(d).toBeLessThanOrEqual(SPOT_MAX_DISCOUNT);
    }
    expect(spotPrice("c6i.large", "us-east-1c", { day })).toBeLessThan(onDemandPrice("c6i.large"));
    expect(() => spotPrice("m5.large", "nowhere")).toThrow(/not a zone name/);
  });

  it("price offerings by capacity type", () => {
    expect(offeringPrice("m5.large", "on-demand", "eu-west-1b")).toBe(onDemandPrice("m5.large", "eu-west-1"));
    expect(offeringPrice("m5.large", "spot", "eu-west-1b")).toBe(spotPrice("m5.large", "eu-west-1b"));
  });
});

describe("Fargate prices", () => {
  it("charge the provisioned vCPU and GB at us-east-1's rates, storage beyond 20 GB, times the region", () => {
    expect(fargatePrice({ vcpu: 0.25, memoryGB: 0.5 })).toBeCloseTo(0.0123425, 7);
    expect(fargatePrice({ vcpu: 1, memoryGB: 2 })).toBeCloseTo(0.04937, 7);
    expect(fargatePrice({ vcpu: 1, memoryGB: 2, storageGB: 20 })).toBeCloseTo(0.04937, 7);
    expect(fargatePrice({ vcpu: 1, memoryGB: 2, storageGB: 30 })).toBeCloseTo(0.04937 + 10 * 0.000111, 7);
    expect(fargatePrice({ vcpu: 2, memoryGB: 4 }, "eu-west-1")).toBeCloseTo(
      (2 * 0.04048 + 4 * 0.004445) * priceMultiplier("eu-west-1"),
      6,
    );
  });
});
