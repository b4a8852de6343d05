import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import {
  allowsSurge,
  daemonPodFor,
  daemonPodTolerations,
  maxSurgeOf,
  maxUnavailableOf,
  nodeShouldRunDaemonPod,
  targetNodeName,
} from "../../lib/controllers/daemonset-util.ts";

const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []) =>
  ({ apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: { taints } }) as KubeObject;

const ds = (podSpec: Record<string, unknown> = {}, strategy?: unknown): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "agent", namespace: "kube-system", uid: "u1", generation: 3 },
  spec: {
    selector: { matchLabels: { app: "agent" } },
    template: {
      metadata: { labels: { app: "agent" } },
      spec: { containers: [{ name: "a", image: "x" }], ...podSpec },
    },
    updateStrategy: strategy,
  },
});

describe("daemon pod placement", () => {
  it("adds the automatic DaemonSet tolerations once", () => {
    const tols = daemonPodTolerations({
      tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" }],
    });
    expect(tols.filter((t) => t.key === "node.kubernetes.io/not-ready")).toHaveLength(1);
    expect(tols.map((t) => `${t.key}:${t.effect}`)).toEqual(
      expect.arrayContaining([
        "node.kubernetes.io/unreachable:NoExecute",
        "node.kubernetes.io/disk-pressure:NoSchedule",
        "node.kubernetes.io/memory-pressure:NoSchedule",
        "node.kubernetes.io/pid-pressure:NoSchedule",
        "node.kubernetes.io/unschedulable:NoSchedule",
      ]),
    );
    expect(tols.some((t) => t.key === "node.kubernetes.io/network-unavailable")).toBe(false);
    expect(
      daemonPodTolerations({ hostNetwork: true }).some(
        (t) => t.key === "node.kubernetes.io/network-unavailable",
      ),
    ).toBe(true);
  });

  it("honours nodeSelector, required node affinity and taints", () => {
    const spec = { nodeSelector: { type: "core" } };
    expect(nodeShouldRunDaemonPod(node("a", { type: "core" }), spec)).toEqual({
      shouldRun: true,
      shouldContinueRunning: true,
    });
    expect(nodeShouldRunDaemonPod(node("b", { type: "workload" }), spec).shouldRun).toBe(false);
    const affinity = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["x"] }] }],
          },
        },
      },
    };
    expect(nodeShouldRunDaemonPod(node("a", { zone: "x" }), affinity).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(node("a", { zone: "y" }), affinity).shouldRun).toBe(false);
    // NoSchedule: no new pod, but a running one stays; NoExecute: neither.
    expect(nodeShouldRunDaemonPod(node("a", {}, [{ key: "k", effect: "NoSchedule" }]), {})).toEqual({
      shouldRun: false,
      shouldContinueRunning: true,
    });
    expect(nodeShouldRunDaemonPod(node("a", {}, [{ key: "k", effect: "NoExecute" }]), {})).toEqual({
      shouldRun: false,
      shouldContinueRunning: false,
    });
    // The automatic tolerations cover unreachable and cordoned nodes.
    const down = node("a", {}, [
      { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
    ]);
    expect(nodeShouldRunDaemonPod(down, {}).shouldRun).toBe(true);
  });

  it("pins the pod to its node through matchFields node affinity", () => {
    const pod = daemonPodFor(ds({ nodeSelector: { type: "core" } }), "node-1", "abc");
    const terms = (pod.spec as any).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
      .nodeSelectorTerms;
    expect(terms).toEqual([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-1"] }] }]);
    expect(pod.metadata.labels).toMatchObject({
      app: "agent",
      "controller-revision-hash": "abc",
      "pod-template-generation": "3",
    });
    expect(pod.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "DaemonSet",
      name: "agent",
      uid: "u1",
      controller: true,
    });
    expect(targetNodeName(pod)).toBe("node-1");
    expect(targetNodeName({ ...pod, spec: { ...(pod.spec as object), nodeName: "node-2" } })).toBe("node-2");
  });

  it("resolves maxUnavailable (default 1, percentages round up)", () => {
    expect(maxUnavailableOf(ds(), 5)).toBe(1);
    expect(maxUnavailableOf(ds({}, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } }), 5)).toBe(
      2,
    );
    expect(
      maxUnavailableOf(ds({}, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "30%" } }), 5),
    ).toBe(2);
  });
});

describe("DaemonSet maxSurge", () => {
  const ds = (rollingUpdate: Record<string, unknown>, type = "RollingUpdate") =>
    ({ metadata: { name: "d" }, spec: { updateStrategy: { type, rollingUpdate } } }) as unknown as KubeObject;

  it("surges only when maxSurge is non-zero on a RollingUpdate, rounding percentages up", () => {
    expect(allowsSurge(ds({ maxSurge: 1, maxUnavailable: 0 }))).toBe(true);
    expect(allowsSurge(ds({ maxSurge: 0, maxUnavailable: 1 }))).toBe(false);
    expect(allowsSurge(ds({ maxSurge: "0%" }))).toBe(false);
    expect(allowsSurge(ds({ maxSurge: 1 }, "OnDelete"))).toBe(false);
    expect(maxSurgeOf(ds({ maxSurge: "10%" }), 12)).toBe(2);
    expect(maxSurgeOf(ds({ maxSurge: 2 }), 12)).toBe(2);
  });
});
