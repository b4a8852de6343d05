import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster, waitFor } from "../helpers.ts";

// Namespace lifecycle: deleting a namespace marks it Terminating, the namespace controller removes its
// content, and the namespace goes once nothing (no object held by a finalizer) is left.

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("ns", 2);
});

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

const json = (args: string[]) => JSON.parse(k.kubectl([...args, "-o", "json"]).stdout);

describe("namespace lifecycle", () => {
  it("deletes a namespace with all its content; kubectl waits until it is gone", async () => {
    expect(k.kubectl(["create", "namespace", "shop"]).code).toBe(0);
    expect(
      k.kubectl(["-n", "shop", "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"]).code,
    ).toBe(0);
    expect(k.kubectl(["-n", "shop", "expose", "deployment", "web", "--port=80"]).code).toBe(0);
    expect(k.kubectl(["-n", "shop", "create", "configmap", "settings", "--from-literal=a=b"]).code).toBe(0);
    expect(k.kubectl(["-n", "shop", "create", "secret", "generic", "creds", "--from-literal=p=q"]).code).toBe(
      0,
    );
    expect(k.kubectl(["apply", "-f", "-"], CRD).code).toBe(0);
    const gadget = {
      apiVersion: "example.com/v1",
      kind: "Gadget",
      metadata: { name: "g1", namespace: "shop" },
    };
    await waitFor(
      () => k.kubectl(["apply", "-f", "-"], JSON.stringify(gadget)).code === 0,
      30_000,
      "a Gadget",
    );
    const rollout = k.kubectl(["-n", "shop", "rollout", "status", "deploy/web", "--timeout=90s"]);
    expect(rollout.code, rollout.stderr).toBe(0);

    const del = k.kubectl(["delete", "namespace", "shop", "--timeout=90s"]);
    expect(del.code, del.stderr).toBe(0);
    const get = k.kubectl(["get", "namespace", "shop"]);
    expect(get.code).not.toBe(0);
    expect(get.stderr).toContain('namespaces "shop" not found');
    for (const kind of [
      "pods",
      "deployments",
      "replicasets",
      "services",
      "configmaps",
      "secrets",
      "endpoints",
    ]) {
      const all = json(["get", kind, "-A"]).items.filter((o: any) => o.metadata.namespace === "shop");
      expect(all, kind).toEqual([]);
    }
  });

  it("holds a Terminating namespace while an object keeps a finalizer, and refuses new content", async () => {
    expect(k.kubectl(["create", "namespace", "held"]).code).toBe(0);
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "pinned", namespace: "held", finalizers: ["example.com/hold"] },
      data: { a: "b" },
    };
    expect(k.kubectl(["apply", "-f", "-"], JSON.stringify(cm)).code).toBe(0);
    expect(k.kubectl(["delete", "namespace", "held", "--wait=false"]).code).toBe(0);

    const ns = await waitFor(
      () => {
        const n = json(["get", "namespace", "held"]);
        const c = (n.status?.conditions ?? []).find((x: any) => x.type === "NamespaceContentRemaining");
        return c?.status === "True" ? n : undefined;
      },
      60_000,
      "the NamespaceContentRemaining condition",
    );
    expect(ns.status.phase).toBe("Terminating");
    const cond = (t: string) => ns.status.conditions.find((x: any) => x.type === t);
    expect(cond("NamespaceContentRemaining").message).toBe(
      "Some resources are remaining: configmaps has 1 resource instances",
    );
    expect(cond("NamespaceFinalizersRemaining")).toMatchObject({
      status: "True",
      reason: "SomeFinalizersRemain",
      message:
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
    });
    expect(json(["get", "configmap", "pinned", "-n", "held"]).metadata.deletionTimestamp).toBeTruthy();

    const refused = await k.api("POST", "/api/v1/namespaces/held/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "late" },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("because it is being terminated");

    const unpin = k.kubectl([
      "-n",
      "held",
      "patch",
      "configmap",
      "pinned",
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]);
    expect(unpin.code, unpin.stderr).toBe(0);
    await waitFor(() => k.kubectl(["get", "namespace", "held"]).code !== 0, 60_000, "the namespace to go");
    expect(k.kubectl(["get", "namespace", "held"]).stderr).toContain("not found");
  });

  it("refuses to delete the default namespace", () => {
    const r = k.kubectl(["delete", "namespace", "default"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("this namespace may not be deleted");
  });
});
