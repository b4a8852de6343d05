import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// Storage object in-use protection (kube's StorageObjectInUseProtection admission plugin and the
// pvc-protection / pv-protection controllers), through the real kubectl: a claim a running pod mounts, and a
// volume bound to a claim, survive their delete as Terminating until nothing uses them.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("protect", 2);
});

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);
const apply = (o: unknown) => {
  const r = k.kubectl(["apply", "-f", "-"], JSON.stringify(o));
  expect(r.code, r.stderr).toBe(0);
};

const claim = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...extra },
});

const podUsing = (name: string, claimName: string, annotations: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, annotations },
  spec: {
    restartPolicy: "Never",
    containers: [{ name: "c", image: "busybox", volumeMounts: [{ name: "d", mountPath: "/data" }] }],
    volumes: [{ name: "d", persistentVolumeClaim: { claimName } }],
  },
});

const gone = (args: string[]) => k.kubectl(["get", ...args]).code !== 0;

describe("storage object in-use protection", () => {
  it("gives claims and volumes their protection finalizers", () => {
    apply(claim("plain"));
    expect(json(["get", "pvc", "plain"]).metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    apply({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "static-a" },
      spec: {
        storageClassName: "",
        capacity: { storage: "1Gi" },
        accessModes: ["ReadWriteOnce"],
        csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-0aaaaaaaaaaaaaaaa" },
      },
    });
    expect(json(["get", "pv", "static-a"]).metadata.finalizers).toEqual(["kubernetes.io/pv-protection"]);
    // Nothing uses them: deletes complete (kubectl waits for the object to be gone).
    expect(k.kubectl(["delete", "pvc", "plain", "--timeout=60s"]).code).toBe(0);
    expect(k.kubectl(["delete", "pv", "static-a", "--timeout=60s"]).code).toBe(0);
  });

  it("keeps a claim a running pod mounts Terminating until the pod is gone", async () => {
    apply(claim("data"));
    apply(podUsing("user", "data"));
    expect(k.kubectl(["wait", "--for=condition=Ready", "pod/user", "--timeout=90s"]).code).toBe(0);
    const bound = await waitFor(
      () => {
        const c = json(["get", "pvc", "data"]);
        return c.status.phase === "Bound" ? c : undefined;
      },
      60_000,
      "the claim to bind",
    );
    const volume = bound.spec.volumeName;
    expect(json(["get", "pv", volume]).metadata.finalizers).toEqual(["kubernetes.io/pv-protection"]);

    expect(k.kubectl(["delete", "pvc", "data", "--wait=false"]).code).toBe(0);
    const row = k.kubectl(["get", "pvc", "data", "--no-headers"]);
    expect(row.code, row.stderr).toBe(0);
    expect(row.stdout).toMatch(/^data\s+Terminating\s+pvc-/);
    // Still held after a later change to the claim: the pod has not gone anywhere.
    expect(k.kubectl(["label", "pvc", "data", "touched=yes"]).code).toBe(0);
    const held = json(["get", "pvc", "data"]);
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    expect(held.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    expect(json(["get", "pv", volume]).status.phase).toBe("Bound");
    expect(json(["get", "pod", "user"]).status.phase).toBe("Running");

    expect(k.kubectl(["delete", "pod", "user", "--timeout=60s"]).code).toBe(0);
    const waited = k.kubectl(["wait", "--for=delete", "pvc/data", "--timeout=60s"]);
    expect(waited.code, waited.stderr).toBe(0);
    // The gp3 class reclaims with Delete: the bound volume goes too, once released.
    await waitFor(() => gone(["pv", volume]), 60_000, "the volume to be reclaimed");
  });

  it("does not hold a claim for a pod that has terminated", async () => {
    apply(claim("scratch"));
    apply(podUsing("done", "scratch", { "kumulus.io/run-seconds": "1" }));
    await waitFor(() => json(["get", "pod", "done"]).status.phase === "Succeeded", 90_000, "pod to succeed");
    const r = k.kubectl(["delete", "pvc", "scratch", "--timeout=60s"]);
    expect(r.code, r.stderr).toBe(0);
    expect(gone(["pvc", "scratch"])).toBe(true);
    expect(json(["get", "pod", "done"]).status.phase).toBe("Succeeded");
  });

  it("keeps a volume bound to a claim until the claim is gone", async () => {
    apply({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "static-b", labels: { disk: "b" } },
      spec: {
        storageClassName: "",
        capacity: { storage: "2Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-0bbbbbbbbbbbbbbbb" },
      },
    });
    apply(claim("pinned", { storageClassName: "", selector: { matchLabels: { disk: "b" } } }));
    await waitFor(() => json(["get", "pv", "static-b"]).status.phase === "Bound", 60_000, "PV Bound");

    expect(k.kubectl(["delete", "pv", "static-b", "--wait=false"]).code).toBe(0);
    const row = k.kubectl(["get", "pv", "static-b", "--no-headers"]);
    expect(row.stdout).toMatch(/^static-b\s+2Gi\s+RWO\s+Retain\s+Terminating\s+default\/pinned/);
    expect(json(["get", "pvc", "pinned"]).status.phase).toBe("Bound");

    expect(k.kubectl(["delete", "pvc", "pinned", "--timeout=60s"]).code).toBe(0);
    const waited = k.kubectl(["wait", "--for=delete", "pv/static-b", "--timeout=60s"]);
    expect(waited.code, waited.stderr).toBe(0);
  });

  it("lets a namespace with a mounted claim finish deleting", async () => {
    expect(k.kubectl(["create", "ns", "scratch-ns"]).code).toBe(0);
    const inNs = (o: any) => ({ ...o, metadata: { ...o.metadata, namespace: "scratch-ns" } });
    apply(inNs(claim("vol")));
    apply(inNs(podUsing("user", "vol")));
    expect(
      k.kubectl(["wait", "-n", "scratch-ns", "--for=condition=Ready", "pod/user", "--timeout=90s"]).code,
    ).toBe(0);
    const r = k.kubectl(["delete", "ns", "scratch-ns", "--timeout=90s"]);
    expect(r.code, r.stderr).toBe(0);
    expect(gone(["ns", "scratch-ns"])).toBe(true);
  });
});
