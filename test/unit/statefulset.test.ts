import { describe, expect, it } from "vitest";
import { pickDefaultClass } from "../../lib/api/storage-class.ts";
import type { KubeObject } from "../../lib/api/types.ts";
import { bestVolume, provisionedVolume, volumeMatches } from "../../lib/api/volume-match.ts";
import {
  claimName,
  computeStatus,
  ordinalOf,
  type PlanInput,
  type PodState,
  plan,
  revisionData,
  revisionName,
  templateOfRevision,
} from "../../lib/controllers/statefulset-plan.ts";
import { constraintFor, volumeBinding } from "../../lib/scheduler/plugins/volume-binding.ts";

const pod = (ordinal: number, over: Partial<PodState> = {}): PodState => ({
  name: `web-${ordinal}`,
  ordinal,
  revision: "r1",
  ready: true,
  available: over.ready ?? true,
  terminating: false,
  finished: false,
  ...over,
});

const input = (over: Partial<PlanInput>): PlanInput => ({
  replicas: 3,
  start: 0,
  policy: "OrderedReady",
  strategy: "RollingUpdate",
  partition: 0,
  currentRevision: "r1",
  updateRevision: "r1",
  pods: [],
  ...over,
});

describe("StatefulSet plan", () => {
  it("names pods and claims by ordinal", () => {
    expect(ordinalOf("web", "web-12")).toBe(12);
    expect(ordinalOf("web", "web-01")).toBeUndefined();
    expect(ordinalOf("web", "webx-1")).toBeUndefined();
    expect(claimName("www", "web", 2)).toBe("www-web-2");
  });

  it("OrderedReady creates one pod at a time, after the previous is ready", () => {
    expect(plan(input({}))).toEqual([{ type: "create", ordinal: 0, revision: "r1" }]);
    expect(plan(input({ pods: [pod(0, { ready: false })] }))).toEqual([]);
    expect(plan(input({ pods: [pod(0)] }))).toEqual([{ type: "create", ordinal: 1, revision: "r1" }]);
  });

  it("Parallel creates every missing pod at once", () => {
    const out = plan(input({ policy: "Parallel", pods: [pod(1, { ready: false })] }));
    expect(out).toEqual([
      { type: "create", ordinal: 0, revision: "r1" },
      { type: "create", ordinal: 2, revision: "r1" },
    ]);
  });

  it("scales down from the highest ordinal, one at a time when ordered", () => {
    const pods = [pod(0), pod(1), pod(2)];
    expect(plan(input({ replicas: 1, pods }))).toEqual([{ type: "delete", name: "web-2" }]);
    expect(plan(input({ replicas: 1, pods: [pod(0), pod(1), pod(2, { terminating: true })] }))).toEqual([]);
    expect(plan(input({ replicas: 1, policy: "Parallel", pods }))).toEqual([
      { type: "delete", name: "web-2" },
      { type: "delete", name: "web-1" },
    ]);
  });

  it("replaces a failed pod", () => {
    expect(plan(input({ pods: [pod(0, { finished: true, ready: false })] }))).toEqual([
      { type: "delete", name: "web-0" },
    ]);
  });

  it("rolls updates in reverse ordinal order down to the partition", () => {
    const pods = [pod(0), pod(1), pod(2)];
    expect(plan(input({ updateRevision: "r2", pods }))).toEqual([{ type: "delete", name: "web-2" }]);
    const after = [pod(0), pod(1), pod(2, { revision: "r2" })];
    expect(plan(input({ updateRevision: "r2", pods: after }))).toEqual([{ type: "delete", name: "web-1" }]);
    expect(plan(input({ updateRevision: "r2", partition: 2, pods: after }))).toEqual([]);
    expect(plan(input({ updateRevision: "r2", strategy: "OnDelete", pods }))).toEqual([]);
    // A recreated pod below the partition keeps the current revision.
    expect(
      plan(input({ updateRevision: "r2", partition: 2, pods: [pod(1), pod(2, { revision: "r2" })] })),
    ).toEqual([{ type: "create", ordinal: 0, revision: "r1" }]);
  });

  it("computes status and completes a rolling update", () => {
    const s = computeStatus(
      [pod(0, { revision: "r2" }), pod(1, { revision: "r1", ready: false })],
      "r1",
      "r2",
      "RollingUpdate",
    );
    expect(s).toMatchObject({
      replicas: 2,
      readyReplicas: 1,
      currentReplicas: 1,
      updatedReplicas: 1,
      currentRevision: "r1",
    });
    const done = computeStatus([pod(0, { revision: "r2" })], "r1", "r2", "RollingUpdate");
    expect(done).toMatchObject({ currentRevision: "r2", currentReplicas: 1, updatedReplicas: 1 });
  });

  it("waits for a ready pod to be available (minReadySeconds) before the next ordinal, when OrderedReady", () => {
    const waiting = [pod(0, { available: false })];
    expect(plan(input({ pods: waiting }))).toEqual([]);
    expect(plan(input({ policy: "Parallel", pods: waiting }))).toEqual([
      { type: "create", ordinal: 1, revision: "r1" },
      { type: "create", ordinal: 2, revision: "r1" },
    ]);
    expect(plan(input({ pods: [pod(0)] }))).toEqual([{ type: "create", ordinal: 1, revision: "r1" }]);
    const s = computeStatus([pod(0), pod(1, { available: false })], "r1", "r1", "RollingUpdate");
    expect(s).toMatchObject({ readyReplicas: 2, availableReplicas: 1 });
  });

  it("names revisions by template and round-trips the template", () => {
    const t = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "x" }] } };
    expect(revisionName("web", t)).toBe(revisionName("web", JSON.parse(JSON.stringify(t))));
    expect(revisionName("web", t)).not.toBe(revisionName("web", { ...t, spec: { containers: [] } }));
    const rev = { data: revisionData(t) } as unknown as KubeObject;
    expect(templateOfRevision(rev)).toEqual(t);
  });
});

const obj = (o: Record<string, unknown>) => o as unknown as KubeObject;
const claim = (over: Record<string, unknown> = {}) =>
  obj({
    metadata: { name: "data", namespace: "default", uid: "u1" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      storageClassName: "gp3",
      ...over,
    },
  });
const node = (zone: string) =>
  obj({ metadata: { name: `n-${zone}`, labels: { "topology.kubernetes.io/zone": zone } } });
const gp3 = obj({ metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com", reclaimPolicy: "Delete" });

describe("volumes", () => {
  it("matches volumes by class, size, access modes and zone", () => {
    const pv = (name: string, size: string, over: Record<string, unknown> = {}) =>
      obj({
        metadata: { name },
        spec: {
          capacity: { storage: size },
          accessModes: ["ReadWriteOnce"],
          storageClassName: "gp3",
          ...over,
        },
        status: { phase: "Available" },
      });
    expect(volumeMatches(pv("a", "512Mi"), claim())).toBe(false);
    expect(volumeMatches(pv("a", "2Gi", { storageClassName: "slow" }), claim())).toBe(false);
    expect(
      volumeMatches(pv("a", "2Gi", { claimRef: { name: "other", namespace: "default" } }), claim()),
    ).toBe(false);
    expect(bestVolume([pv("big", "10Gi"), pv("small", "2Gi")], claim())?.metadata.name).toBe("small");
    const zonal = provisionedVolume(claim(), gp3, "us-east-1b");
    expect(zonal.metadata.name).toBe("pvc-u1");
    expect((zonal.spec as any).csi.volumeHandle).toMatch(/^vol-[0-9a-f]{17}$/);
    expect(volumeMatches({ ...zonal, status: { phase: "Available" } }, claim(), node("us-east-1a"))).toBe(
      false,
    );
    expect(volumeMatches({ ...zonal, status: { phase: "Available" } }, claim(), node("us-east-1b"))).toBe(
      true,
    );
  });

  it("picks the default StorageClass", () => {
    const sc = (name: string, def: boolean, ts: string) =>
      obj({
        metadata: {
          name,
          creationTimestamp: ts,
          annotations: def ? { "storageclass.kubernetes.io/is-default-class": "true" } : {},
        },
      });
    expect(
      pickDefaultClass([sc("a", false, "2024-01-01"), sc("gp3", true, "2024-01-01")])?.metadata.name,
    ).toBe("gp3");
    expect(pickDefaultClass([sc("a", false, "2024-01-01")])).toBeUndefined();
  });

  it("keeps pods off nodes outside their volume's zone and Pending on a missing claim", () => {
    const p = obj({
      metadata: { name: "p", namespace: "default" },
      spec: { volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }] },
    });
    const bound = claim({ volumeName: "pvc-u1" });
    const pv = provisionedVolume(claim(), gp3, "us-east-1b");
    const modes = new Map([["gp3", "WaitForFirstConsumer"]]);
    const c = constraintFor(p, new Map([["default/data", bound]]), new Map([["pvc-u1", pv]]), modes);
    expect(c.error).toBeUndefined();
    expect(c.volumes).toHaveLength(1);
    expect(constraintFor(p, new Map(), new Map(), modes).error).toBe(
      'persistentvolumeclaim "data" not found',
    );
    expect(constraintFor(p, new Map([["default/data", claim()]]), new Map(), modes)).toEqual({ volumes: [] });
    // Without prepared state the filter has nothing to say.
    expect(volumeBinding(p, { node: node("us-east-1a") } as any)).toBeUndefined();
  });
});
