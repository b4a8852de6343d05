import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// StatefulSets with per-pod claims, provisioned by the simulated EBS CSI driver in the zone of the node each
// pod lands on (WaitForFirstConsumer on the default gp3 class), through the real path and the real kubectl.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("sts", 3);
});

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);

const MANIFEST = `
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          volumeMounts:
            - name: www
              mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
    - metadata:
        name: www
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: 1Gi
`;

const podNames = () =>
  json(["get", "pods", "-l", "app=web"])
    .items.filter((p: any) => !p.metadata.deletionTimestamp)
    .map((p: any) => p.metadata.name)
    .sort();

const claimVolumes = () =>
  Object.fromEntries(json(["get", "pvc"]).items.map((c: any) => [c.metadata.name, c.spec.volumeName]));

describe("StatefulSets and persistent volumes", () => {
  it("has a default gp3 StorageClass", () => {
    const r = k.kubectl(["get", "sc"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gp3 \(default\)\s+ebs\.csi\.aws\.com\s+Delete\s+WaitForFirstConsumer\s+true/);
  });

  it("runs ordinal pods with their own zonal volumes", async () => {
    const applied = k.kubectl(["apply", "-f", "-"], MANIFEST);
    expect(applied.code, applied.stderr).toBe(0);
    const status = k.kubectl(["rollout", "status", "sts/web", "--timeout=120s"]);
    expect(status.code, status.stderr).toBe(0);
    // The API defaults rollingUpdate.partition to 0, so kubectl reports a (trivially) partitioned roll out.
    expect(status.stdout).toContain("partitioned roll out complete: 3 new pods have been updated");
    expect(podNames()).toEqual(["web-0", "web-1", "web-2"]);
    const nodes = new Map(
      json(["get", "nodes"]).items.map((n: any) => [
        n.metadata.name,
        n.metadata.labels["topology.kubernetes.io/zone"],
      ]),
    );
    const claims = await waitFor(
      () => {
        const items = json(["get", "pvc"]).items;
        return items.length === 3 && items.every((c: any) => c.status.phase === "Bound") ? items : undefined;
      },
      60_000,
      "claims to be bound",
    );
    const pvs = new Map(json(["get", "pv"]).items.map((v: any) => [v.metadata.name, v]));
    for (const i of [0, 1, 2]) {
      const pod = json(["get", "pod", `web-${i}`]);
      expect(pod.status.phase).toBe("Running");
      expect(pod.metadata.labels["statefulset.kubernetes.io/pod-name"]).toBe(`web-${i}`);
      expect(pod.metadata.labels["apps.kubernetes.io/pod-index"]).toBe(String(i));
      expect(pod.spec.hostname).toBe(`web-${i}`);
      expect(pod.spec.subdomain).toBe("web");
      const claim = claims.find((c: any) => c.metadata.name === `www-web-${i}`);
      expect(claim.spec.storageClassName).toBe("gp3");
      expect(claim.status.capacity.storage).toBe("1Gi");
      const pv: any = pvs.get(claim.spec.volumeName);
      expect(pv.spec.claimRef.name).toBe(`www-web-${i}`);
      expect(pv.spec.csi.driver).toBe("ebs.csi.aws.com");
      const zone = pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0];
      expect(nodes.get(pod.spec.nodeName)).toBe(zone);
    }
    expect(k.kubectl(["rollout", "history", "sts/web"]).stdout).toMatch(
      /REVISION\s+CHANGE-CAUSE\s+1\s+<none>/,
    );
  });

  it("scales down from the highest ordinal, keeps the claims and reuses them", async () => {
    const before = claimVolumes();
    expect(k.kubectl(["scale", "sts/web", "--replicas=1"]).code).toBe(0);
    await waitFor(
      () => {
        const names = podNames();
        // Ordered: web-1 never goes while web-2 is still there.
        if (!names.includes("web-1")) expect(names).not.toContain("web-2");
        return names.length === 1 && names[0] === "web-0";
      },
      60_000,
      "scale down to 1",
    );
    expect(claimVolumes()).toEqual(before);
    expect(k.kubectl(["scale", "sts/web", "--replicas=3"]).code).toBe(0);
    const status = k.kubectl(["rollout", "status", "sts/web", "--timeout=120s"]);
    expect(status.code, status.stderr).toBe(0);
    expect(podNames()).toEqual(["web-0", "web-1", "web-2"]);
    expect(claimVolumes()).toEqual(before);
    // The re-created pods went where their (zonal) volumes are.
    const zones = new Map(
      json(["get", "nodes"]).items.map((n: any) => [
        n.metadata.name,
        n.metadata.labels["topology.kubernetes.io/zone"],
      ]),
    );
    for (const i of [1, 2]) {
      const pv = json(["get", "pv", before[`www-web-${i}`]]);
      const zone = pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0];
      expect(zones.get(json(["get", "pod", `web-${i}`]).spec.nodeName)).toBe(zone);
    }
  });

  it("rolls a template change out in reverse ordinal order, with history", async () => {
    expect(k.kubectl(["set", "image", "sts/web", "nginx=nginx:1.28"]).code).toBe(0);
    const status = k.kubectl(["rollout", "status", "sts/web", "--timeout=120s"]);
    expect(status.code, status.stderr).toBe(0);
    const sts = json(["get", "sts", "web"]);
    expect(sts.status.updateRevision).toBe(sts.status.currentRevision);
    expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3 });
    for (const p of json(["get", "pods", "-l", "app=web"]).items) {
      expect(p.spec.containers[0].image).toBe("nginx:1.28");
      expect(p.metadata.labels["controller-revision-hash"]).toBe(sts.status.updateRevision);
    }
    expect(k.kubectl(["rollout", "history", "sts/web"]).stdout).toMatch(/1\s+<none>\s+2\s+<none>/);
  });

  it("provisions Immediate claims at once, binds static volumes and reclaims them", async () => {
    const objects = [
      {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "io2-now" },
        provisioner: "ebs.csi.aws.com",
        volumeBindingMode: "Immediate",
      },
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "now" },
        spec: {
          storageClassName: "io2-now",
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "1500Mi" } },
        },
      },
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "static-pv", labels: { tier: "gold" } },
        spec: {
          storageClassName: "",
          capacity: { storage: "5Gi" },
          accessModes: ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Retain",
          csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-0123456789abcdef0" },
        },
      },
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "static" },
        spec: {
          storageClassName: "",
          selector: { matchLabels: { tier: "gold" } },
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "2Gi" } },
        },
      },
    ];
    for (const o of objects) {
      const r = k.kubectl(["apply", "-f", "-"], JSON.stringify(o));
      expect(r.code, r.stderr).toBe(0);
    }
    const bound = (name: string) => {
      const c = json(["get", "pvc", name]);
      return c.status.phase === "Bound" ? c : undefined;
    };
    const now = await waitFor(() => bound("now"), 60_000, "the Immediate claim to bind");
    expect(now.status.capacity.storage).toBe("2Gi"); // EBS rounds up to whole GiB
    expect(now.metadata.annotations["pv.kubernetes.io/bind-completed"]).toBe("yes");
    const st = await waitFor(() => bound("static"), 60_000, "the static claim to bind");
    expect(st.spec.volumeName).toBe("static-pv");
    await waitFor(() => json(["get", "pv", "static-pv"]).status.phase === "Bound", 60_000, "static PV Bound");

    expect(k.kubectl(["delete", "pvc", "now", "static"]).code).toBe(0);
    await waitFor(() => k.kubectl(["get", "pv", now.spec.volumeName]).code !== 0, 60_000, "Delete reclaim");
    await waitFor(
      () => json(["get", "pv", "static-pv"]).status.phase === "Released",
      60_000,
      "Retain reclaim",
    );
  });

  it("counts a pod available minReadySeconds after it is ready, and only then starts the next ordinal", async () => {
    const set = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "slow" },
      spec: {
        serviceName: "slow",
        replicas: 2,
        minReadySeconds: 4,
        selector: { matchLabels: { app: "slow" } },
        template: {
          metadata: { labels: { app: "slow" } },
          spec: { containers: [{ name: "c", image: "nginx:1.27" }] },
        },
      },
    };
    const r = k.kubectl(["apply", "-f", "-"], JSON.stringify(set));
    expect(r.code, r.stderr).toBe(0);
    const seen = new Set<string>();
    const sts = await waitFor(
      () => {
        const s = json(["get", "sts", "slow"]);
        const st = s.status ?? {};
        seen.add(`${st.readyReplicas ?? 0}/${st.availableReplicas ?? 0}`);
        return st.availableReplicas === 2 ? s : undefined;
      },
      90_000,
      "both pods to be available",
    );
    expect(sts.status.readyReplicas).toBe(2);
    // Ready comes first; available follows minReadySeconds later.
    expect(seen.has("2/1") || seen.has("1/0")).toBe(true);
    const readySince = (name: string) =>
      Date.parse(
        json(["get", "pod", name]).status.conditions.find((c: any) => c.type === "Ready").lastTransitionTime,
      );
    const created1 = Date.parse(json(["get", "pod", "slow-1"]).metadata.creationTimestamp);
    expect(created1).toBeGreaterThanOrEqual(readySince("slow-0") + 4000);
    expect(k.kubectl(["delete", "sts", "slow"]).code).toBe(0);
  });

  it("keeps a pod whose claim does not exist Pending", async () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "orphan" },
      spec: {
        containers: [{ name: "c", image: "busybox" }],
        volumes: [{ name: "d", persistentVolumeClaim: { claimName: "missing-claim" } }],
      },
    };
    expect(k.kubectl(["apply", "-f", "-"], JSON.stringify(pod)).code).toBe(0);
    const cond = await waitFor(
      () =>
        (json(["get", "pod", "orphan"]).status.conditions ?? []).find(
          (c: any) => c.type === "PodScheduled" && c.status === "False",
        ),
      60_000,
      "an Unschedulable condition",
    );
    expect(cond.message).toContain('persistentvolumeclaim "missing-claim" not found');
    expect(json(["get", "pod", "orphan"]).spec.nodeName).toBeUndefined();
  });
});
