import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import type { ApiClient } from "../../lib/client/client.ts";
import { recordEvent } from "../../lib/client/events.ts";

// The correlator's rules, with a fake client that records what would be written.

function fakeApi(cluster: string) {
  const created: any[] = [];
  const patched: { path: string; patch: any }[] = [];
  const api = {
    cluster,
    create: async (_path: string, obj: any) => {
      const ev = { ...obj, metadata: { ...obj.metadata, name: `e${created.length}` } };
      created.push(ev);
      return ev;
    },
    mergePatch: async (path: string, patch: any) => {
      patched.push({ path, patch });
      return {} as KubeObject;
    },
  } as unknown as ApiClient;
  return { api, created, patched };
}

const rs = (uid: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "web-1", namespace: "default", uid },
});

describe("recordEvent", () => {
  it("counts a repeated event on the one already written", async () => {
    const { api, created, patched } = fakeApi("c-dedup");
    for (let i = 0; i < 3; i++) await recordEvent(api, rs("u1"), "Warning", "BackOff", "same", "kubelet");
    expect(created).toHaveLength(1);
    expect(patched.map((p) => p.patch.count)).toEqual([2, 3]);
    expect(patched[0].path).toBe("/api/v1/namespaces/default/events/e0");
  });

  it("lets a burst of 25 distinct events through per object and source, then drops the flood", async () => {
    const { api, created } = fakeApi("c-burst");
    for (let i = 0; i < 40; i++)
      await recordEvent(api, rs("u2"), "Normal", "SuccessfulCreate", `Created pod: web-1-${i}`, "rs");
    expect(created).toHaveLength(25);
    await recordEvent(api, rs("u3"), "Normal", "SuccessfulCreate", "Created pod: other", "rs");
    expect(created).toHaveLength(26);
  });

  it("files events of cluster-scoped objects in the default namespace", async () => {
    const { api, created } = fakeApi("c-node");
    const node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "n" } } as KubeObject;
    await recordEvent(api, node, "Normal", "NodeNotReady", "Node n1 status is now: NodeNotReady", "node");
    expect(created[0].metadata.namespace).toBe("default");
  });
});
