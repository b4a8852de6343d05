import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// Scheduling through the real path with the real kubectl: node affinity failures, pod anti-affinity,
// topology spread over zones, and priority preemption, on three simulated nodes (4 cpu each, 3 zones).

let k: TestCluster;
const ZONE = "topology.kubernetes.io/zone";

beforeAll(async () => {
  k = await newCluster("sched", 3);
});

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);

function apply(manifest: unknown): void {
  const r = k.kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
  expect(r.code, r.stderr).toBe(0);
}

function deployment(name: string, replicas: number, podSpec: Record<string, unknown>): unknown {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "nginx:1.27" }], ...podSpec },
      },
    },
  };
}

const podsOf = (app: string): any[] => json(["get", "pods", "-l", `app=${app}`]).items;
const scheduledCond = (p: any) => (p.status.conditions ?? []).find((c: any) => c.type === "PodScheduled");

describe("scheduling", () => {
  it("leaves a pod with unsatisfiable node affinity Pending with FailedScheduling", async () => {
    apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "nowhere" },
      spec: {
        containers: [{ name: "c", image: "nginx:1.27" }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] },
              ],
            },
          },
        },
      },
    });
    const expected =
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    const cond = await waitFor(
      () => scheduledCond(json(["get", "pod", "nowhere"])),
      60_000,
      "PodScheduled condition",
    );
    expect(cond).toMatchObject({ status: "False", reason: "Unschedulable", message: expected });
    expect(json(["get", "pod", "nowhere"]).status.phase).toBe("Pending");
    const events = await waitFor(
      () => {
        const r = k.kubectl(["get", "events", "--field-selector", "involvedObject.name=nowhere"]);
        return r.stdout.includes("FailedScheduling") ? r.stdout : undefined;
      },
      60_000,
      "FailedScheduling event",
    );
    expect(events).toContain("didn't match Pod's node affinity/selector");
    expect(k.kubectl(["delete", "pod", "nowhere", "--wait=false"]).code).toBe(0);
  });

  it("spreads self anti-affinity replicas over distinct nodes and keeps the extra one Pending", async () => {
    const anti = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "solo" } } },
          ],
        },
      },
    };
    apply(deployment("solo", 3, anti));
    const rollout = k.kubectl(["rollout", "status", "deploy/solo", "--timeout=90s"]);
    expect(rollout.code, rollout.stderr).toBe(0);
    expect(new Set(podsOf("solo").map((p) => p.spec.nodeName)).size).toBe(3);

    expect(k.kubectl(["scale", "deploy/solo", "--replicas=4"]).code).toBe(0);
    const pending = await waitFor(
      () => podsOf("solo").find((p) => !p.spec.nodeName && scheduledCond(p)),
      60_000,
      "the fourth replica to be marked unschedulable",
    );
    expect(scheduledCond(pending).message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
    expect(k.kubectl(["delete", "deploy", "solo"]).code).toBe(0);
  });

  it("balances replicas over zones with a topology spread constraint", async () => {
    const zoneOf = new Map<string, string>(
      json(["get", "nodes"]).items.map((n: any) => [n.metadata.name, n.metadata.labels[ZONE]]),
    );
    apply(
      deployment("spread", 6, {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: ZONE,
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "spread" } },
          },
        ],
      }),
    );
    const rollout = k.kubectl(["rollout", "status", "deploy/spread", "--timeout=90s"]);
    expect(rollout.code, rollout.stderr).toBe(0);
    const perZone = new Map<string, number>();
    for (const p of podsOf("spread")) {
      const z = zoneOf.get(p.spec.nodeName)!;
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    const counts = [...new Set(zoneOf.values())].map((z) => perZone.get(z) ?? 0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(k.kubectl(["delete", "deploy", "spread"]).code).toBe(0);
  });

  it("preempts lower-priority pods for a high-priority pod on a full cluster", async () => {
    apply({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "low" },
      value: 10,
    });
    apply({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "high" },
      value: 1000000,
    });
    const unknown = k.kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "bad-class" },
        spec: { priorityClassName: "nope", containers: [{ name: "c", image: "nginx:1.27" }] },
      }),
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("no PriorityClass with name nope was found");

    const cpu = (n: string) => ({ name: "c", image: "nginx:1.27", resources: { requests: { cpu: n } } });
    // Each node has 4 cpu: one 3-cpu filler per node leaves no room for a 2-cpu pod anywhere.
    apply(deployment("filler", 3, { priorityClassName: "low", containers: [cpu("3")] }));
    const rollout = k.kubectl(["rollout", "status", "deploy/filler", "--timeout=90s"]);
    expect(rollout.code, rollout.stderr).toBe(0);
    const fillers = podsOf("filler").map((p) => p.metadata.name);
    expect(podsOf("filler")[0].spec.priority).toBe(10);

    apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "vip" },
      spec: { priorityClassName: "high", containers: [cpu("2")] },
    });
    const vip = await waitFor(
      () => {
        const p = json(["get", "pod", "vip"]);
        return p.status.phase === "Running" ? p : undefined;
      },
      90_000,
      "the high-priority pod to run",
    );
    expect(vip.spec.priority).toBe(1000000);
    expect(vip.spec.preemptionPolicy).toBe("PreemptLowerPriority");
    const remaining = podsOf("filler").filter((p) => fillers.includes(p.metadata.name));
    expect(remaining.length).toBe(2);
    const events = k.kubectl(["get", "events", "--field-selector", "reason=Preempted"]).stdout;
    expect(events).toContain(`Preempted by pod ${vip.metadata.uid} on node ${vip.spec.nodeName}`);
  });
});
