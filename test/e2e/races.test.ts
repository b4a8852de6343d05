import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster } from "../helpers.ts";

// Writes that used to race: concurrent Services allocating ClusterIPs and NodePorts, and concurrent creates
// against a ResourceQuota. Both are now decided in the transaction that commits the object.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("races");
});

const SERVICES = "/api/v1/namespaces/default/services";

function service(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  };
}

describe("service address allocation", () => {
  it("gives concurrently created services distinct ClusterIPs and NodePorts", async () => {
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        k.api("POST", SERVICES, service(`svc-${i}`, i % 2 ? { type: "NodePort" } : {})),
      ),
    );
    for (const r of created) expect(r.status, r.text).toBe(201);
    const ips = created.map((r) => r.body.spec.clusterIP as string);
    expect(ips.every((ip) => /^10\.100\.\d+\.\d+$/.test(ip))).toBe(true);
    expect(new Set(ips).size).toBe(30);
    const ports = created
      .filter((r) => r.body.spec.type === "NodePort")
      .map((r) => r.body.spec.ports[0].nodePort);
    expect(ports).toHaveLength(15);
    expect(ports.every((p) => p >= 30000 && p <= 32767)).toBe(true);
    expect(new Set(ports).size).toBe(15);

    // What the API answered is what is stored.
    const list = await k.api("GET", SERVICES);
    const stored = new Map<string, string>(
      list.body.items.map((s: any) => [s.metadata.name, s.spec.clusterIP]),
    );
    for (const r of created) expect(stored.get(r.body.metadata.name)).toBe(r.body.spec.clusterIP);
  });

  it("refuses a requested ClusterIP to all but one of two racing creates", async () => {
    const ip = "10.100.200.7";
    const [a, b] = await Promise.all([
      k.api("POST", SERVICES, service("want-a", { clusterIP: ip })),
      k.api("POST", SERVICES, service("want-b", { clusterIP: ip })),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 422]);
    const loser = a.status === 422 ? a : b;
    expect(loser.body.message).toContain(
      `spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`,
    );
    const winner = a.status === 201 ? a : b;
    expect(winner.body.spec.clusterIP).toBe(ip);
  });

  it("refuses a requested NodePort to all but one of two racing creates", async () => {
    const [a, b] = await Promise.all([
      k.api(
        "POST",
        SERVICES,
        service("port-a", { type: "NodePort", ports: [{ port: 80, nodePort: 31999 }] }),
      ),
      k.api(
        "POST",
        SERVICES,
        service("port-b", { type: "NodePort", ports: [{ port: 80, nodePort: 31999 }] }),
      ),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 422]);
    const loser = a.status === 422 ? a : b;
    expect(loser.body.message).toContain(
      "spec.ports[0].nodePort: Invalid value: 31999: provided port is already allocated",
    );
  });

  it("frees a deleted service's ClusterIP for a new request", async () => {
    const ip = "10.100.201.9";
    expect((await k.api("POST", SERVICES, service("first", { clusterIP: ip }))).status).toBe(201);
    const taken = await k.api("POST", SERVICES, service("second", { clusterIP: ip }));
    expect(taken.status).toBe(422);
    expect((await k.api("DELETE", `${SERVICES}/first`)).status).toBe(200);
    const again = await k.api("POST", SERVICES, service("second", { clusterIP: ip }));
    expect(again.status, again.text).toBe(201);
    expect(again.body.spec.clusterIP).toBe(ip);
  });

  it("frees a NodePort when its service becomes a ClusterIP service", async () => {
    const np = { type: "NodePort", ports: [{ port: 80, nodePort: 31888 }] };
    expect((await k.api("POST", SERVICES, service("np-old", np))).status).toBe(201);
    expect((await k.api("POST", SERVICES, service("np-new", np))).status).toBe(422);
    const changed = await k.api(
      "PATCH",
      `${SERVICES}/np-old`,
      JSON.stringify({ spec: { type: "ClusterIP" } }),
      {
        "content-type": "application/strategic-merge-patch+json",
      },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.spec.ports[0].nodePort).toBeUndefined();
    const again = await k.api("POST", SERVICES, service("np-new", np));
    expect(again.status, again.text).toBe(201);
    expect(again.body.spec.ports[0].nodePort).toBe(31888);
  });
});

describe("resource quota admission", () => {
  it("admits exactly as many concurrent pods as the quota allows", async () => {
    expect(
      (
        await k.api("POST", "/api/v1/namespaces", {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: "quota-race" },
        })
      ).status,
    ).toBe(201);
    const quota = await k.api("POST", "/api/v1/namespaces/quota-race/resourcequotas", {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q" },
      spec: { hard: { pods: "3" } },
    });
    expect(quota.status, quota.text).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        k.api("POST", "/api/v1/namespaces/quota-race/pods", {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: `p${i}` },
          spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
        }),
      ),
    );
    const admitted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(admitted).toHaveLength(3);
    for (const r of refused) {
      expect(r.status, r.text).toBe(403);
      expect(r.body.message).toContain("exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3");
    }
    const pods = await k.api("GET", "/api/v1/namespaces/quota-race/pods");
    expect(pods.body.items).toHaveLength(3);
    // The quota's usage was committed with the pods.
    const q = await k.api("GET", "/api/v1/namespaces/quota-race/resourcequotas/q");
    expect(q.body.status.used.pods).toBe("3");
  });

  it("admits a burst of creates under a roomy quota without errors", async () => {
    const ns = await k.api("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "quota-burst" },
    });
    expect(ns.status).toBe(201);
    const quota = await k.api("POST", "/api/v1/namespaces/quota-burst/resourcequotas", {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q" },
      spec: { hard: { pods: "100" } },
    });
    expect(quota.status, quota.text).toBe(201);
    // What a ReplicaSet scaling up does: many creates at once, each charging the same quota.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        k.api("POST", "/api/v1/namespaces/quota-burst/pods", {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: `b${i}` },
          spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
        }),
      ),
    );
    for (const r of results) expect(r.status, r.text).toBe(201);
    const q = await k.api("GET", "/api/v1/namespaces/quota-burst/resourcequotas/q");
    expect(q.body.status.used.pods).toBe("40");
  });

  it("answers a second quota of the same name with AlreadyExists, even when quotas count quotas", async () => {
    const body = {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "objects" },
      spec: { hard: { "count/resourcequotas": "5" } },
    };
    expect((await k.api("POST", "/api/v1/namespaces/quota-burst/resourcequotas", body)).status).toBe(201);
    const again = await k.api("POST", "/api/v1/namespaces/quota-burst/resourcequotas", body);
    expect(again.status, again.text).toBe(409);
    expect(again.body.reason).toBe("AlreadyExists");
  });
});

describe("patches to one object", () => {
  const CM = "/api/v1/namespaces/default/configmaps";
  const merge = { "content-type": "application/merge-patch+json" };

  it("land every one of a burst of concurrent patches, as kube re-applies a patch that lost a race", async () => {
    expect(
      (await k.api("POST", CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "hot" }, data: {} }))
        .status,
    ).toBe(201);
    const patched = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        k.api(
          "PATCH",
          `${CM}/hot`,
          { metadata: { labels: { [`l${i}`]: "x" } }, data: { [`k${i}`]: `${i}` } },
          merge,
        ),
      ),
    );
    for (const r of patched) expect(r.status, r.text).toBe(200);
    const got = await k.api("GET", `${CM}/hot`);
    expect(Object.keys(got.body.data)).toHaveLength(20);
    expect(Object.keys(got.body.metadata.labels)).toHaveLength(20);
  });

  it("refuses a patch that names a resourceVersion no longer current with 409", async () => {
    const before = await k.api("GET", `${CM}/hot`);
    const rv = before.body.metadata.resourceVersion;
    expect((await k.api("PATCH", `${CM}/hot`, { data: { a: "1" } }, merge)).status).toBe(200);
    const stale = await k.api(
      "PATCH",
      `${CM}/hot`,
      { metadata: { resourceVersion: rv }, data: { b: "2" } },
      merge,
    );
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe("Conflict");
    expect((await k.api("GET", `${CM}/hot`)).body.data.b).toBeUndefined();
  });
});
