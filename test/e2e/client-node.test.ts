import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  type V1ConfigMap,
  type V1Lease,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// @kubernetes/client-node against a cluster, as a Node service would use it: typed CRUD, every patch strategy
// the generic object API offers (on an object and on the scale subresource), server-side apply, delete
// options, Status errors as the client surfaces them, an informer that must end equal to a fresh list under
// 8 concurrent writers, and leader election on a Lease with client-go's compare-and-swap loop.

let k: TestCluster;
let kc: KubeConfig;
const NS = "node-suite";

beforeAll(async () => {
  k = await newCluster("clientnode");
  kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
}, 60_000);

describe("@kubernetes/client-node", () => {
  it("creates, patches every way, applies server-side and deletes", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: "cfg", labels: { a: "1" } }, data: { x: "1" } },
    });
    const ref = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: NS } };
    await objects.patch(
      { ...ref, data: { y: "2" } },
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.StrategicMergePatch,
    );
    await objects.patch(
      { ...ref, metadata: { ...ref.metadata, labels: { b: "2" } } },
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    await core.patchNamespacedConfigMap(
      { name: "cfg", namespace: NS, body: [{ op: "add", path: "/data/z", value: "3" }] },
      undefined,
    );
    const applied = await objects.patch(
      { ...ref, data: { owned: "yes" } } as V1ConfigMap,
      undefined,
      undefined,
      "node-suite",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.managedFields?.some((f) => f.manager === "node-suite")).toBe(true);
    const cm = await core.readNamespacedConfigMap({ name: "cfg", namespace: NS });
    expect(cm.data).toEqual({ x: "1", y: "2", z: "3", owned: "yes" });
    expect(cm.metadata?.labels).toEqual({ a: "1", b: "2" });

    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "c", image: "nginx" }] },
          },
        },
      },
    });
    const scale = await apps.patchNamespacedDeploymentScale({
      name: "web",
      namespace: NS,
      body: [{ op: "replace", path: "/spec/replicas", value: 3 }],
    });
    expect(scale.spec?.replicas).toBe(3);
    // The status subresource: a JSON patch there changes status, never spec.
    const status = await apps.patchNamespacedDeploymentStatus({
      name: "web",
      namespace: NS,
      body: [
        { op: "replace", path: "/spec/replicas", value: 7 },
        { op: "add", path: "/status", value: { observedGeneration: 1 } },
      ],
    });
    expect(status.spec?.replicas).toBe(3);
    expect(status.status?.observedGeneration).toBe(1);

    // Delete options: dry run keeps the object; a wrong uid precondition is a Conflict.
    await core.deleteNamespacedConfigMap({ name: "cfg", namespace: NS, dryRun: "All" });
    await core.readNamespacedConfigMap({ name: "cfg", namespace: NS });
    const stale = await core
      .deleteNamespacedConfigMap({ name: "cfg", namespace: NS, body: { preconditions: { uid: "nope" } } })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ApiException);
    expect((stale as ApiException<unknown>).code).toBe(409);
    await apps.deleteNamespacedDeployment({ name: "web", namespace: NS, propagationPolicy: "Foreground" });

    const missing = await core.readNamespacedConfigMap({ name: "missing", namespace: NS }).catch((e) => e);
    expect((missing as ApiException<string>).code).toBe(404);
    const body = JSON.parse(String((missing as ApiException<string>).body));
    expect(body).toMatchObject({ kind: "Status", reason: "NotFound", details: { name: "missing" } });
  });

  it("keeps an informer's cache equal to a fresh list under 8 concurrent writers", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const informer = makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: NS }));
    await informer.start();
    try {
      const writer = async (w: number) => {
        for (let i = 0; i < 12; i++) {
          const name = `w${w}-${i % 4}`;
          const op = i % 3;
          try {
            if (op === 0)
              await core.createNamespacedConfigMap({
                namespace: NS,
                body: { metadata: { name }, data: { v: `${i}` } },
              });
            else if (op === 1)
              await core.patchNamespacedConfigMap({
                name,
                namespace: NS,
                body: [{ op: "replace", path: "/data", value: { v: `${w}-${i}` } }],
              });
            else await core.deleteNamespacedConfigMap({ name, namespace: NS });
          } catch (e) {
            // Races among the writers' own operations (already exists, not found) are expected.
            if (!(e instanceof ApiException) || ![404, 409].includes(e.code)) throw e;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
      const snapshot = (items: readonly V1ConfigMap[]) =>
        items
          .map((c) => `${c.metadata?.name}@${c.metadata?.resourceVersion}`)
          .sort()
          .join(",");
      const final = snapshot((await core.listNamespacedConfigMap({ namespace: NS })).items);
      await waitFor(() => snapshot(informer.list(NS)) === final, 30_000, "the informer to match the list");
    } finally {
      await informer.stop();
    }
  });

  it("elects one leader on a Lease, and a new one when it stops renewing", async () => {
    const lease = kc.makeApiClient(CoordinationV1Api);
    const NAME = "suite-leader";
    const DURATION_S = 2;
    // client-go's leaderelection loop: read, then take or renew with the read resourceVersion (CAS).
    const tryAcquire = async (id: string): Promise<boolean> => {
      const now = new Date();
      let current: V1Lease | undefined;
      try {
        current = await lease.readNamespacedLease({ name: NAME, namespace: NS });
      } catch (e) {
        if (!(e instanceof ApiException) || e.code !== 404) throw e;
      }
      const spec = current?.spec;
      const expired =
        !spec?.renewTime ||
        new Date(spec.renewTime).getTime() + (spec.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
      if (spec?.holderIdentity && spec.holderIdentity !== id && !expired) return false;
      const body: V1Lease = {
        metadata: { name: NAME, namespace: NS, resourceVersion: current?.metadata?.resourceVersion },
        spec: {
          holderIdentity: id,
          leaseDurationSeconds: DURATION_S,
          acquireTime: spec?.holderIdentity === id ? spec.acquireTime : now,
          renewTime: now,
        },
      };
      try {
        if (current) await lease.replaceNamespacedLease({ name: NAME, namespace: NS, body });
        else await lease.createNamespacedLease({ namespace: NS, body });
        return true;
      } catch (e) {
        if (e instanceof ApiException && e.code === 409) return false;
        throw e;
      }
    };
    const rounds = async (ids: string[], n: number) => {
      const leaders: string[][] = [];
      for (let r = 0; r < n; r++) {
        const won = await Promise.all(ids.map(async (id) => ((await tryAcquire(id)) ? id : undefined)));
        leaders.push(won.filter((x): x is string => !!x));
        await new Promise((res) => setTimeout(res, 300));
      }
      return leaders;
    };
    const first = await rounds(["a", "b", "c"], 5);
    for (const won of first) expect(won.length).toBeLessThanOrEqual(1);
    const holder = (await lease.readNamespacedLease({ name: NAME, namespace: NS })).spec?.holderIdentity;
    expect(first.flat().every((id) => id === holder)).toBe(true);
    // The leader stops; after the lease duration another candidate takes over.
    const others = ["a", "b", "c"].filter((id) => id !== holder);
    await new Promise((res) => setTimeout(res, (DURATION_S + 1) * 1000));
    const second = await rounds(others, 3);
    for (const won of second) expect(won.length).toBeLessThanOrEqual(1);
    const next = (await lease.readNamespacedLease({ name: NAME, namespace: NS })).spec?.holderIdentity;
    expect(others).toContain(next);
  });
});

afterAll(async () => {
  await kc
    ?.makeApiClient(CoreV1Api)
    .deleteNamespace({ name: NS })
    .catch(() => undefined);
});
