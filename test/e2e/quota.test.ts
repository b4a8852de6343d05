import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// ResourceQuota and LimitRange admission and the quota status controller, driven with the real kubectl.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("quota", 1);
});

function pod(ns: string, name: string, resources?: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: "app", image: "nginx:1.27", ...(resources ? { resources } : {}) }] },
  });
}

const create = (manifest: string) => k.kubectl(["create", "-f", "-"], manifest);

describe("ResourceQuota and LimitRange", () => {
  it("refuses pods over a quota and reports usage", async () => {
    expect(k.kubectl(["create", "ns", "q1"]).code).toBe(0);
    const q = k.kubectl(["create", "quota", "q", "-n", "q1", "--hard=pods=2,requests.cpu=1"]);
    expect(q.code, q.stderr).toBe(0);

    const bare = create(pod("q1", "bare"));
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toContain('pods "bare" is forbidden: failed quota: q: must specify requests.cpu');

    expect(create(pod("q1", "p1", { requests: { cpu: "400m" } })).code).toBe(0);
    const big = create(pod("q1", "big", { requests: { cpu: "700m" } }));
    expect(big.code).not.toBe(0);
    expect(big.stderr).toContain(
      'pods "big" is forbidden: exceeded quota: q, requested: requests.cpu=700m, used: requests.cpu=400m, limited: requests.cpu=1',
    );
    expect(create(pod("q1", "p2", { requests: { cpu: "500m" } })).code).toBe(0);
    const third = create(pod("q1", "p3", { requests: { cpu: "100m" } }));
    expect(third.code).not.toBe(0);
    expect(third.stderr).toContain("exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");

    await waitFor(
      () => /pods\s+2\s+2/.test(k.kubectl(["describe", "quota", "q", "-n", "q1"]).stdout),
      60_000,
      "quota status",
    );
    expect(k.kubectl(["describe", "quota", "q", "-n", "q1"]).stdout).toMatch(/requests\.cpu\s+900m\s+1/);

    // Freed usage is visible to admission at once and to the status shortly after.
    expect(k.kubectl(["delete", "pod", "p2", "-n", "q1", "--wait=false"]).code).toBe(0);
    await waitFor(
      () => /requests\.cpu\s+400m\s+1/.test(k.kubectl(["describe", "quota", "q", "-n", "q1"]).stdout),
      60_000,
      "quota status after delete",
    );
  });

  it("defaults and bounds container resources with a LimitRange, before quota", async () => {
    expect(k.kubectl(["create", "ns", "l1"]).code).toBe(0);
    const lr = {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "lr", namespace: "l1" },
      spec: {
        limits: [
          {
            type: "Container",
            default: { cpu: "200m", memory: "128Mi" },
            defaultRequest: { cpu: "100m", memory: "64Mi" },
            max: { cpu: "1" },
          },
        ],
      },
    };
    expect(create(JSON.stringify(lr)).code).toBe(0);
    expect(k.kubectl(["create", "quota", "q", "-n", "l1", "--hard=requests.cpu=1"]).code).toBe(0);

    const plain = create(pod("l1", "plain"));
    expect(plain.code, plain.stderr).toBe(0);
    const res = JSON.parse(
      k.kubectl(["get", "pod", "plain", "-n", "l1", "-o", "jsonpath={.spec.containers[0].resources}"]).stdout,
    );
    expect(res).toEqual({
      requests: { cpu: "100m", memory: "64Mi" },
      limits: { cpu: "200m", memory: "128Mi" },
    });

    const huge = create(pod("l1", "huge", { limits: { cpu: "2" } }));
    expect(huge.code).not.toBe(0);
    expect(huge.stderr).toContain(
      'pods "huge" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    );
  });
});
