import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// What a user asks of the request pipeline itself: who am I, what may I do, acting as someone else, and the
// streaming subresources a simulated pod cannot serve.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("access", 1);
});

describe("access reviews and impersonation", () => {
  it("answers kubectl auth can-i and whoami for the cluster admin", () => {
    const can = k.kubectl(["auth", "can-i", "create", "pods"]);
    expect(can.code, can.stderr).toBe(0);
    expect(can.stdout.trim()).toBe("yes");
    expect(k.kubectl(["auth", "can-i", "delete", "nodes", "--all-namespaces"]).stdout.trim()).toBe("yes");
    const list = k.kubectl(["auth", "can-i", "--list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
    const who = k.kubectl(["auth", "whoami"]);
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toMatch(/Username\s+kubernetes-admin/);
    expect(who.stdout).toContain("system:masters");
  });

  it("acts as an impersonated user, who holds no rights yet", () => {
    const can = k.kubectl(["auth", "can-i", "create", "pods", "--as=bob"]);
    expect(can.stdout.trim()).toBe("no");
    const get = k.kubectl(["get", "pods", "--as=bob"]);
    expect(get.code).not.toBe(0);
    expect(get.stderr).toContain(
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    const admin = k.kubectl(["get", "pods", "--as=bob", "--as-group=system:masters"]);
    expect(admin.code, admin.stderr).toBe(0);
    const sa = k.kubectl(["auth", "whoami", "--as=system:serviceaccount:default:default"]);
    expect(sa.stdout).toMatch(/Username\s+system:serviceaccount:default:default/);
    expect(sa.stdout).toContain("system:serviceaccounts:default");
  });
});

describe("streaming subresources of simulated pods", () => {
  it("refuses exec, attach, port-forward and cp with a clear reason", async () => {
    expect(k.kubectl(["run", "box", "--image=busybox", "--", "sleep", "3600"]).code).toBe(0);
    await waitFor(
      () => k.kubectl(["get", "pod", "box", "-o", "jsonpath={.status.phase}"]).stdout === "Running",
      60_000,
      "box to run",
    );
    const reason = "runs on a simulated Kumulus node, which has no container runtime";
    const exec = k.kubectl(["exec", "box", "--", "ls"]);
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain(`exec is not available: pod box ${reason}`);
    expect(k.kubectl(["attach", "box"]).stderr).toContain(`attach is not available: pod box ${reason}`);
    expect(k.kubectl(["port-forward", "box", "18999:80"]).stderr).toContain(
      `port-forward is not available: pod box ${reason}`,
    );
    expect(k.kubectl(["cp", "box:/etc/hostname", "/tmp/kumulus-cp-test"]).stderr).toContain(reason);
    expect(k.kubectl(["exec", "box", "-c", "nope", "--", "ls"]).stderr).toContain(
      "container nope is not valid for pod box",
    );
    expect(k.kubectl(["exec", "gone", "--", "ls"]).stderr).toContain('pods "gone" not found');
  });
});
