import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// kubectl drain: cordon, then evictions that respect PodDisruptionBudgets (retrying on 429) until the node
// is empty and the workload runs elsewhere.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("drain", 3);
});

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);
const ready = (p: any) =>
  p.status?.phase === "Running" &&
  (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");

describe("drain and PodDisruptionBudgets", () => {
  it("drains a node without breaking a budget, then uncordons it", async () => {
    expect(k.kubectl(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=4"]).code).toBe(0);
    const rollout = k.kubectl(["rollout", "status", "deploy/web", "--timeout=90s"]);
    expect(rollout.code, rollout.stderr).toBe(0);
    const pdb = k.kubectl(["create", "pdb", "web", "--selector=app=web", "--min-available=3"]);
    expect(pdb.code, pdb.stderr).toBe(0);
    await waitFor(
      () => {
        const s = json(["get", "pdb", "web"]).status ?? {};
        return s.currentHealthy === 4 && s.desiredHealthy === 3 && s.disruptionsAllowed === 1;
      },
      60_000,
      "the budget's status",
    );

    const pods = json(["get", "pods", "-l", "app=web"]).items;
    const counts = new Map<string, number>();
    for (const p of pods) counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
    const node = [...counts].sort((a, b) => b[1] - a[1])[0][0];

    const drain = k.kubectl([
      "drain",
      node,
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--timeout=120s",
    ]);
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain(`node/${node} drained`);
    // The node held two of the four pods: the budget (3 of 4) let only one go until its replacement was Ready.
    expect(counts.get(node)).toBeGreaterThanOrEqual(2);
    expect(drain.stdout + drain.stderr).toContain(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );

    expect(json(["get", "node", node]).spec.unschedulable).toBe(true);
    expect(k.kubectl(["get", "node", node]).stdout).toContain("SchedulingDisabled");
    expect(json(["get", "pods", "-l", "app=web"]).items.filter((p: any) => p.spec.nodeName === node)).toEqual(
      [],
    );
    await waitFor(
      () => {
        const now = json(["get", "pods", "-l", "app=web"]).items;
        return now.length === 4 && now.every((p: any) => ready(p) && p.spec.nodeName !== node);
      },
      60_000,
      "4 ready pods on the other nodes",
    );

    const uncordon = k.kubectl(["uncordon", node]);
    expect(uncordon.code, uncordon.stderr).toBe(0);
    expect(json(["get", "node", node]).spec.unschedulable).toBeFalsy();
  });

  it("refuses an eviction that would violate a budget with 429", async () => {
    expect(k.kubectl(["create", "deployment", "db", "--image=redis:7", "--replicas=2"]).code).toBe(0);
    expect(k.kubectl(["rollout", "status", "deploy/db", "--timeout=90s"]).code).toBe(0);
    expect(k.kubectl(["create", "pdb", "db", "--selector=app=db", "--max-unavailable=0"]).code).toBe(0);
    const victim = json(["get", "pods", "-l", "app=db"]).items[0].metadata.name;
    const evict = (name: string) =>
      k.api("POST", `/api/v1/namespaces/default/pods/${name}/eviction`, {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name, namespace: "default" },
      });
    const r = await evict(victim);
    expect(r.status).toBe(429);
    expect(r.body.reason).toBe("TooManyRequests");
    expect(r.body.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(r.body.details.causes[0]).toEqual({
      reason: "DisruptionBudget",
      message: "The disruption budget db needs 2 healthy pods and has 2 currently",
    });
    expect(k.kubectl(["get", "pod", victim]).code).toBe(0);
    expect((await evict("no-such-pod")).status).toBe(404);

    // Room for one disruption: of two concurrent evictions (v1 and v1beta1 bodies) exactly one passes.
    expect(
      k.kubectl(["patch", "pdb", "db", "--type=merge", "-p", '{"spec":{"maxUnavailable":1}}']).code,
    ).toBe(0);
    const names = json(["get", "pods", "-l", "app=db"]).items.map((p: any) => p.metadata.name);
    expect(names).toHaveLength(2);
    const results = await Promise.all(
      names.map((name: string, i: number) =>
        k.api("POST", `/api/v1/namespaces/default/pods/${name}/eviction`, {
          apiVersion: i === 0 ? "policy/v1" : "policy/v1beta1",
          kind: "Eviction",
          metadata: { name },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 429]);
    const evicted = names[results.findIndex((r) => r.status === 201)];
    // An evicted pod is deleted gracefully: gone once its kubelet has stopped it.
    await waitFor(() => k.kubectl(["get", "pod", evicted]).code !== 0, 30_000, "the evicted pod to go");
    const spent = json(["get", "pdb", "db"]).status;
    expect(Object.keys(spent.disruptedPods ?? {}).filter((n) => n !== evicted)).toEqual([]);
  });
});
