import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import {
  AuthPipeline,
  type Caller,
  type ObjectReader,
  type RequestAttributes,
} from "../../lib/apiserver/pipeline.ts";
import { nodeIdentity } from "../../lib/client/identity.ts";
import { authorizeNode, nodeNameOf, podReferences } from "../../lib/identity/node-authorizer.ts";

// kube's Node authorizer and NodeRestriction for kubelets (system:node:<name> in system:nodes), through the
// request pipeline with a fake store that counts its reads: what the simulated kubelet does is allowed for
// its own node and refused for another's, and the checks cost no read where the request says enough.

const CLUSTER = "c";

const pod = (name: string, node: string | undefined, spec: Record<string, unknown> = {}): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: "c", image: "i" }], ...spec },
  }) as KubeObject;

/** A store holding pods p-a (on node a), p-b (on b) and web (on a, using secrets, configmaps and a claim). */
function fakeStore() {
  const pods = [
    pod("p-a", "a"),
    pod("p-b", "b"),
    pod("web", "a", {
      imagePullSecrets: [{ name: "pull" }],
      volumes: [
        { name: "data", persistentVolumeClaim: { claimName: "data" } },
        { name: "conf", configMap: { name: "conf" } },
        { name: "tok", projected: { sources: [{ secret: { name: "projected" } }] } },
      ],
      containers: [
        {
          name: "c",
          image: "i",
          env: [{ name: "X", valueFrom: { secretKeyRef: { name: "env-secret", key: "k" } } }],
          envFrom: [{ configMapRef: { name: "env-conf" } }],
        },
      ],
    }),
  ];
  const volumes: Record<string, KubeObject> = {
    "pv-data": {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pv-data" },
      spec: { claimRef: { namespace: "default", name: "data" } },
    } as KubeObject,
    "pv-other": {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pv-other" },
      spec: { claimRef: { namespace: "default", name: "other" } },
    } as KubeObject,
  };
  const reads = { get: 0, list: 0 };
  const reader: ObjectReader = {
    async get(_cluster, _group, plural, _ns, name) {
      reads.get++;
      if (plural === "pods") return pods.find((p) => p.metadata.name === name);
      if (plural === "persistentvolumes") return volumes[name];
      return undefined;
    },
    async list(_cluster, _group, plural, ns) {
      reads.list++;
      return plural === "pods" ? pods.filter((p) => p.metadata.namespace === ns) : [];
    },
  };
  return { reader, reads };
}

type Ask = Partial<RequestAttributes> & { verb: string; resource: string };

/** The request the attributes describe, as the API server's pipeline would have authenticated it. */
function requestFor(a: RequestAttributes, body?: unknown): Request {
  const method =
    {
      get: "GET",
      list: "GET",
      watch: "GET",
      create: "POST",
      update: "PUT",
      patch: "PATCH",
      delete: "DELETE",
    }[a.verb] ?? "POST";
  return new Request(`http://internal/clusters/${CLUSTER}${a.path}`, {
    method,
    headers: { "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function pathOf(a: Ask): string {
  const base = a.group ? `/apis/${a.group}/v1` : "/api/v1";
  const ns = a.namespace ? `/namespaces/${a.namespace}` : "";
  return `${base}${ns}/${a.resource}${a.name ? `/${a.name}` : ""}${a.subresource ? `/${a.subresource}` : ""}`;
}

/** Asks the pipeline, as node `node`, with the request (and its body) when `body` is given or it reads. */
async function asNode(node: string, ask: Ask, body?: unknown) {
  const store = fakeStore();
  const auth = new AuthPipeline([], [], undefined, store.reader);
  const attrs: RequestAttributes = { cluster: CLUSTER, group: "", ...ask, path: "" };
  attrs.path = pathOf(attrs as Ask);
  const caller: Caller = { user: nodeIdentity(node), internal: true, request: requestFor(attrs, body) };
  const d = await auth.authorize(caller, attrs);
  return { ...d, reads: store.reads };
}

const allowed = async (node: string, ask: Ask, body?: unknown) => (await asNode(node, ask, body)).allowed;

describe("who is a node", () => {
  it("is system:node:<name> in system:nodes, and nobody else", () => {
    expect(nodeNameOf(nodeIdentity("a"))).toBe("a");
    expect(nodeNameOf({ username: "system:node:a", groups: ["system:authenticated"] })).toBeUndefined();
    expect(nodeNameOf({ username: "alice", groups: ["system:nodes"] })).toBeUndefined();
    expect(authorizeNode("", { verb: "get", group: "", resource: "pods", path: "" }).decision).toBe(
      "noOpinion",
    );
    expect(() => nodeIdentity("")).toThrow();
  });
});

describe("a node and the Node objects", () => {
  it("reads every node and writes only its own, object and status", async () => {
    for (const verb of ["get", "list", "watch"])
      expect(await allowed("a", { verb, resource: "nodes", name: verb === "get" ? "b" : undefined })).toBe(
        true,
      );
    expect(
      await allowed("a", { verb: "update", resource: "nodes", name: "a" }, { metadata: { name: "a" } }),
    ).toBe(true);
    expect(
      await allowed(
        "a",
        { verb: "update", resource: "nodes", name: "a", subresource: "status" },
        { metadata: { name: "a" } },
      ),
    ).toBe(true);
    expect(
      await allowed("a", { verb: "patch", resource: "nodes", name: "a", subresource: "status" }, {}),
    ).toBe(true);
    const other = await asNode(
      "a",
      { verb: "update", resource: "nodes", name: "b" },
      { metadata: { name: "b" } },
    );
    expect(other.allowed).toBe(false);
    expect(other.reason).toContain('node "a" is not allowed to modify node "b"');
    expect(
      await allowed("a", { verb: "patch", resource: "nodes", name: "b", subresource: "status" }, {}),
    ).toBe(false);
    expect(await allowed("a", { verb: "delete", resource: "nodes", name: "a" })).toBe(false);
  });

  it("registers only itself: the created Node's name is the node's", async () => {
    expect(
      await allowed("a", { verb: "create", resource: "nodes" }, { kind: "Node", metadata: { name: "a" } }),
    ).toBe(true);
    expect(
      await allowed("a", { verb: "create", resource: "nodes" }, { kind: "Node", metadata: { name: "b" } }),
    ).toBe(false);
  });
});

describe("a node and its Lease", () => {
  const lease = (verb: string, name?: string, namespace = "kube-node-lease"): Ask => ({
    verb,
    group: "coordination.k8s.io",
    resource: "leases",
    namespace,
    name,
  });

  it("gets, creates, renews and deletes its own Lease in kube-node-lease", async () => {
    for (const verb of ["get", "update", "patch", "delete"])
      expect(
        await allowed(
          "a",
          lease(verb, "a"),
          verb === "get" || verb === "delete" ? undefined : { metadata: { name: "a" } },
        ),
      ).toBe(true);
    expect(await allowed("a", lease("create"), { metadata: { name: "a" } })).toBe(true);
  });

  it("touches no other node's Lease and no lease elsewhere", async () => {
    for (const verb of ["get", "update", "delete"]) expect(await allowed("a", lease(verb, "b"))).toBe(false);
    expect(await allowed("a", lease("create"), { metadata: { name: "b" } })).toBe(false);
    expect(await allowed("a", lease("get", "a", "kube-system"))).toBe(false);
    expect(await allowed("a", lease("list"))).toBe(false);
  });
});

describe("a node and pods", () => {
  it("reads pods and writes the status of pods bound to it, from the submitted pod: no read", async () => {
    expect(await allowed("a", { verb: "list", resource: "pods" })).toBe(true);
    expect(await allowed("a", { verb: "get", resource: "pods", namespace: "default", name: "p-b" })).toBe(
      true,
    );
    const mine = await asNode(
      "a",
      { verb: "update", resource: "pods", subresource: "status", namespace: "default", name: "p-a" },
      pod("p-a", "a"),
    );
    expect(mine.allowed).toBe(true);
    expect(mine.reads).toEqual({ get: 0, list: 0 });
  });

  it("may not write the status of a pod bound to another node", async () => {
    const theirs = await asNode(
      "a",
      { verb: "update", resource: "pods", subresource: "status", namespace: "default", name: "p-b" },
      pod("p-b", "b"),
    );
    expect(theirs.allowed).toBe(false);
    expect(theirs.reason).toContain("can only update pod status for pods with spec.nodeName set to itself");
    // A patch carries no spec: the stored pod decides (one read).
    const patched = await asNode(
      "a",
      { verb: "patch", resource: "pods", subresource: "status", namespace: "default", name: "p-b" },
      { status: {} },
    );
    expect(patched.allowed).toBe(false);
    expect(patched.reads.get).toBe(1);
  });

  it("deletes pods bound to it, which costs one read of the pod, and no other pod", async () => {
    const mine = await asNode("a", { verb: "delete", resource: "pods", namespace: "default", name: "p-a" });
    expect(mine.allowed).toBe(true);
    expect(mine.reads).toEqual({ get: 1, list: 0 });
    expect(await allowed("a", { verb: "delete", resource: "pods", namespace: "default", name: "p-b" })).toBe(
      false,
    );
    expect(
      await allowed("a", {
        verb: "create",
        resource: "pods",
        subresource: "eviction",
        namespace: "default",
        name: "p-b",
      }),
    ).toBe(false);
  });

  it("creates no pods and deletes no collections", async () => {
    expect(
      await allowed("a", { verb: "create", resource: "pods", namespace: "default" }, pod("x", "a")),
    ).toBe(false);
    expect(await allowed("a", { verb: "deletecollection", resource: "pods", namespace: "default" })).toBe(
      false,
    );
  });

  it("records events", async () => {
    expect(await allowed("a", { verb: "create", resource: "events", namespace: "default" }, {})).toBe(true);
    expect(
      await allowed("a", { verb: "patch", resource: "events", namespace: "default", name: "e" }, {}),
    ).toBe(true);
    expect(await allowed("a", { verb: "delete", resource: "events", namespace: "default", name: "e" })).toBe(
      false,
    );
  });
});

describe("a node and what its pods use", () => {
  it("reads the secrets, configmaps, claims and volumes of pods bound to it, and nothing else", async () => {
    for (const name of ["pull", "projected", "env-secret"])
      expect(await allowed("a", { verb: "get", resource: "secrets", namespace: "default", name })).toBe(true);
    for (const name of ["conf", "env-conf"])
      expect(await allowed("a", { verb: "get", resource: "configmaps", namespace: "default", name })).toBe(
        true,
      );
    expect(
      await allowed("a", {
        verb: "get",
        resource: "persistentvolumeclaims",
        namespace: "default",
        name: "data",
      }),
    ).toBe(true);
    expect(await allowed("a", { verb: "get", resource: "persistentvolumes", name: "pv-data" })).toBe(true);
    // Node b runs nothing that uses them.
    expect(await allowed("b", { verb: "get", resource: "secrets", namespace: "default", name: "pull" })).toBe(
      false,
    );
    expect(
      await allowed("a", { verb: "get", resource: "secrets", namespace: "default", name: "unused" }),
    ).toBe(false);
    expect(await allowed("a", { verb: "get", resource: "persistentvolumes", name: "pv-other" })).toBe(false);
    expect(await allowed("a", { verb: "list", resource: "secrets", namespace: "default" })).toBe(false);
    expect(
      await allowed("a", { verb: "update", resource: "configmaps", namespace: "default", name: "conf" }, {}),
    ).toBe(false);
  });

  it("finds references in volumes, projections, env, envFrom and pull secrets", () => {
    const refs = podReferences(
      pod("x", "a", {
        volumes: [
          { name: "scratch", ephemeral: {} },
          { name: "s", secret: { secretName: "s1" } },
        ],
        initContainers: [{ name: "i", envFrom: [{ secretRef: { name: "s2" } }] }],
      }),
    );
    expect([...refs.secrets].sort()).toEqual(["s1", "s2"]);
    expect([...refs.claims]).toEqual(["x-scratch"]);
  });
});

describe("a review is not the request", () => {
  it("answers SubjectAccessReviews as kube's authorizer does: NodeRestriction judges real writes only", async () => {
    const auth = new AuthPipeline([], [], undefined, fakeStore().reader);
    const subject: Caller = { user: nodeIdentity("a") };
    const attrs: RequestAttributes = {
      cluster: CLUSTER,
      verb: "update",
      group: "",
      resource: "nodes",
      name: "b",
      path: "",
    };
    expect((await auth.authorize(subject, attrs)).allowed).toBe(true);
    expect(
      (await auth.authorize(subject, { ...attrs, resource: "namespaces", verb: "delete" })).allowed,
    ).toBe(false);
  });

  it("says a node's rules are incomplete, as kube's Node authorizer cannot list them", async () => {
    const auth = new AuthPipeline([], [], async () => ({
      resourceRules: [],
      nonResourceRules: [],
      incomplete: false,
    }));
    expect(await auth.rulesFor({ user: nodeIdentity("a") }, CLUSTER, "default")).toMatchObject({
      incomplete: true,
    });
  });
});
