import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import {
  type Authenticator,
  type Authorizer,
  AuthPipeline,
  INTERNAL_USER,
  type RequestAttributes,
} from "../../lib/apiserver/pipeline.ts";
import { internalIdentity } from "../../lib/client/identity.ts";
import { bootstrapRbacObjects, type RbacObjects, rbacAllows } from "../../lib/identity/rbac-authorizer.ts";

// Every control loop acts as its kube identity and gets the rights of kube's bootstrap role for it, through
// the same pipeline as any request (RBAC over a new cluster's bootstrap objects). For each loop: what it does
// is allowed, and something outside its role is not. A request from outside never becomes internal.

const CLUSTER = "c";

function snapshot(objects: KubeObject[] = bootstrapRbacObjects()): RbacObjects {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  return {
    roles: of("Role"),
    roleBindings: of("RoleBinding"),
    clusterRoles: of("ClusterRole"),
    clusterRoleBindings: of("ClusterRoleBinding"),
  };
}

const rbac =
  (o: RbacObjects): Authorizer =>
  async (caller, attrs) =>
    rbacAllows(o, caller.user, attrs) ? { decision: "allow" } : { decision: "noOpinion" };

const auth = new AuthPipeline([], [rbac(snapshot())]);

/** "verb group/resource[/sub] [ns]": the request a loop makes (ns "-" = cluster-scoped). */
function attrs(spec: string): RequestAttributes {
  const [verb, gr, ns] = spec.split(" ");
  const [group, resource, subresource] = gr!.split("/");
  return {
    cluster: CLUSTER,
    verb: verb!,
    group: group!,
    resource: resource!,
    subresource,
    namespace: ns === "-" ? undefined : (ns ?? "team"),
    name: verb === "list" || verb === "watch" || verb === "create" ? undefined : "x",
    path: "",
  };
}

async function can(manager: string, spec: string): Promise<boolean> {
  return (await auth.authorize({ user: internalIdentity(manager), internal: true }, attrs(spec))).allowed;
}

const EVENTS = ["create /events", "patch /events"];

/** What each loop does (lib/controllers, lib/scheduler, lib/edge/effects.ts), and what it must not do. */
const LOOPS: Record<string, { does: string[]; not: string[] }> = {
  "replicaset-controller": {
    does: [
      "get apps/replicasets",
      "list /pods",
      "create /pods",
      "delete /pods",
      "update apps/replicasets/status",
    ],
    not: ["create /secrets", "update /secrets", "delete apps/deployments", "update /nodes -"],
  },
  "deployment-controller": {
    does: [
      "get apps/deployments",
      "patch apps/deployments",
      "update apps/deployments/status",
      "list apps/replicasets",
      "create apps/replicasets",
      "patch apps/replicasets",
      "delete apps/replicasets",
    ],
    not: ["create /pods", "delete apps/deployments", "get /secrets"],
  },
  "daemon-set-controller": {
    does: [
      "get apps/daemonsets",
      "list apps/daemonsets -",
      "update apps/daemonsets/status",
      "list /pods",
      "create /pods",
      "delete /pods",
      "list /nodes -",
      "list apps/controllerrevisions",
      "create apps/controllerrevisions",
      "update apps/controllerrevisions",
      "delete apps/controllerrevisions",
    ],
    not: ["update /nodes -", "delete apps/daemonsets"],
  },
  "statefulset-controller": {
    does: [
      "get apps/statefulsets",
      "update apps/statefulsets/status",
      "list /pods",
      "create /pods",
      "delete /pods",
      "get /persistentvolumeclaims",
      "create /persistentvolumeclaims",
      "list /persistentvolumeclaims",
      "delete /persistentvolumeclaims",
      "list apps/controllerrevisions",
      "create apps/controllerrevisions",
      "update apps/controllerrevisions",
      "delete apps/controllerrevisions",
    ],
    not: ["delete /persistentvolumes -", "create /secrets"],
  },
  "job-controller": {
    does: [
      "get batch/jobs",
      "update batch/jobs/status",
      "list /pods",
      "create /pods",
      "delete /pods",
      ...EVENTS,
    ],
    not: ["delete batch/jobs", "create batch/jobs"],
  },
  "ttl-after-finished-controller": {
    does: ["delete batch/jobs"],
    not: ["delete /pods", "update batch/jobs"],
  },
  "cronjob-controller": {
    does: [
      "get batch/cronjobs",
      "update batch/cronjobs/status",
      "list batch/jobs",
      "get batch/jobs",
      "create batch/jobs",
      "delete batch/jobs",
      ...EVENTS,
    ],
    not: ["create /pods", "delete batch/cronjobs"],
  },
  "generic-garbage-collector": {
    does: [
      "list apps/replicasets",
      "list /pods",
      "delete /pods",
      "delete apps/controllerrevisions",
      "get apps/deployments",
      "update apps/deployments",
      "delete coordination.k8s.io/leases kube-node-lease",
    ],
    not: ["create /pods", "create /secrets"],
  },
  "pod-garbage-collector": {
    does: ["list /pods -", "delete /pods"],
    not: ["create /pods", "delete /nodes -"],
  },
  "namespace-controller": {
    does: [
      "get /namespaces -",
      "update /namespaces/status -",
      "update /namespaces/finalize -",
      "list /configmaps",
      "delete /configmaps",
      "list example.com/widgets",
      "delete example.com/widgets",
    ],
    not: ["create /pods", "update /configmaps"],
  },
  "node-controller": {
    does: [
      "get /nodes -",
      "update /nodes -",
      "update /nodes/status -",
      "get coordination.k8s.io/leases kube-node-lease",
      "list /pods -",
      "get /pods",
      "update /pods/status",
      "delete /pods",
      ...EVENTS,
    ],
    not: ["create /pods", "update coordination.k8s.io/leases kube-node-lease", "get /secrets"],
  },
  "resourcequota-controller": {
    does: ["list /resourcequotas", "update /resourcequotas/status"],
    not: ["update /resourcequotas", "get /secrets"],
  },
  "horizontal-pod-autoscaler": {
    does: [
      "get autoscaling/horizontalpodautoscalers",
      "update autoscaling/horizontalpodautoscalers/status",
      "get apps/deployments/scale",
      "update apps/deployments/scale",
      "list /pods",
      ...EVENTS,
    ],
    not: ["update apps/deployments", "delete /pods"],
  },
  "endpoint-controller": {
    does: ["list /services", "list /pods", "get /endpoints", "create /endpoints", "update /endpoints"],
    not: ["create discovery.k8s.io/endpointslices", "update /services"],
  },
  "endpointslice-controller": {
    does: [
      "get discovery.k8s.io/endpointslices",
      "create discovery.k8s.io/endpointslices",
      "update discovery.k8s.io/endpointslices",
    ],
    not: ["create /endpoints", "delete /pods"],
  },
  "service-controller": {
    does: ["get /services", "update /services/status"],
    not: ["update /services", "delete /services"],
  },
  "disruption-controller": {
    does: [
      "list policy/poddisruptionbudgets",
      "update policy/poddisruptionbudgets/status",
      "list /pods",
      "get apps/deployments",
      "get apps/replicasets",
      "get apps/statefulsets",
    ],
    not: ["delete /pods", "update policy/poddisruptionbudgets"],
  },
  "persistent-volume-binder": {
    does: [
      "get /persistentvolumeclaims",
      "patch /persistentvolumeclaims",
      "update /persistentvolumeclaims",
      "update /persistentvolumeclaims/status",
      "list /persistentvolumeclaims -",
      "get /persistentvolumes -",
      "list /persistentvolumes -",
      "create /persistentvolumes -",
      "update /persistentvolumes -",
      "update /persistentvolumes/status -",
      "delete /persistentvolumes -",
      "get storage.k8s.io/storageclasses -",
      "get /nodes -",
      "list /nodes -",
      "list /pods",
      ...EVENTS,
    ],
    not: ["delete /persistentvolumeclaims", "update /nodes -"],
  },
  "pvc-protection-controller": {
    does: ["get /persistentvolumeclaims", "update /persistentvolumeclaims", "list /pods"],
    not: ["delete /persistentvolumeclaims", "update /persistentvolumes -"],
  },
  "pv-protection-controller": {
    does: ["get /persistentvolumes -", "update /persistentvolumes -"],
    not: ["delete /persistentvolumes -", "update /persistentvolumeclaims"],
  },
  "service-account-controller": {
    does: ["get /namespaces -", "get /serviceaccounts", "create /serviceaccounts"],
    not: ["delete /serviceaccounts", "create /secrets"],
  },
  "default-scheduler": {
    does: [
      "list /nodes -",
      "list /pods -",
      "list /namespaces -",
      "create /pods/binding",
      "update /pods/status",
      "delete /pods",
      "list /persistentvolumeclaims -",
      "list /persistentvolumes -",
      "list storage.k8s.io/storageclasses -",
      ...EVENTS,
    ],
    not: ["delete /namespaces -", "create /pods", "update /nodes -", "get /secrets"],
  },
  "kube-controller-manager": {
    does: ["list apps/deployments -", "watch /pods -", "create coordination.k8s.io/leases kube-system"],
    not: ["delete /pods", "update apps/deployments"],
  },
  eks: {
    does: [
      "create apps/daemonsets kube-system",
      "update /services kube-system",
      "create rbac.authorization.k8s.io/clusterroles -",
    ],
    not: [],
  },
};

describe("each control loop's identity", () => {
  it("maps loops to kube's users: controllers are kube-system service accounts", () => {
    expect(internalIdentity("replicaset-controller")).toEqual({
      username: "system:serviceaccount:kube-system:replicaset-controller",
      groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
    });
    expect(internalIdentity("default-scheduler").username).toBe("system:kube-scheduler");
    expect(internalIdentity("kube-controller-manager").username).toBe("system:kube-controller-manager");
    expect(internalIdentity("eks").username).toBe("eks:addon-manager");
    // A kubelet is one node at a time (node-authorizer.test.ts).
    expect(() => internalIdentity("kubelet")).toThrow(/nodeClientFor/);
  });

  for (const [manager, { does, not }] of Object.entries(LOOPS))
    it(`${manager}: may do what its loop does, and not more`, async () => {
      for (const spec of does) expect(await can(manager, spec), `${manager} ${spec}`).toBe(true);
      for (const spec of not) expect(await can(manager, spec), `${manager} must not ${spec}`).toBe(false);
    });

  it("gives a loop without a role nothing", async () => {
    expect(await can("some-new-loop", "list /pods")).toBe(false);
    expect(await can("some-new-loop", "create /events")).toBe(false);
  });

  it("keeps a bootstrap role that a cluster made before it lacks, as a restarted kube-apiserver would", async () => {
    const old = bootstrapRbacObjects().filter((o) => !o.metadata.name!.startsWith("system:controller:"));
    const before = new AuthPipeline([], [rbac(snapshot(old))]);
    const user = internalIdentity("replicaset-controller");
    expect((await before.authorize({ user }, attrs("create /pods"))).allowed).toBe(true);
    expect((await before.authorize({ user }, attrs("create /secrets"))).allowed).toBe(false);
  });
});

describe("a request from outside", () => {
  const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "m" } });
  const post = (headers: Record<string, string>) =>
    new Request(`http://h/clusters/${CLUSTER}/api/v1/namespaces/default/configmaps`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  const claims: Record<string, string>[] = [
    { "x-remote-user": "system:kube-controller-manager", "x-remote-group": "system:masters" },
    { "impersonate-user": "system:kube-scheduler" },
    { "impersonate-user": "system:node:a", "impersonate-group": "system:nodes" },
    { [INTERNAL_USER]: JSON.stringify({ username: "system:kube-scheduler", groups: [] }) },
  ];

  it("without a credential is refused, whatever headers claim an internal identity", async () => {
    for (const h of claims)
      await expect(
        auth.authenticate(post(h), CLUSTER, undefined, "/api/v1"),
        JSON.stringify(h),
      ).rejects.toMatchObject({
        code: 401,
      });
  });

  it("with a credential stays itself: it may not impersonate a loop, and headers are not identities", async () => {
    const alice: Authenticator = async (req) =>
      req.headers.get("authorization") === "Bearer alice"
        ? { user: { username: "alice", groups: ["system:authenticated"] } }
        : undefined;
    const withAlice = new AuthPipeline([alice], [rbac(snapshot())]);
    for (const h of claims) {
      const req = post({ authorization: "Bearer alice", ...h });
      const caller = await withAlice.authenticate(req, CLUSTER, undefined, "/api/v1").catch((e) => e);
      if (caller instanceof Error) {
        expect((caller as { code?: number }).code, JSON.stringify(h)).toBe(403);
        continue;
      }
      expect(caller.user.username, JSON.stringify(h)).toBe("alice");
      expect(caller.internal).toBeUndefined();
      const d = await withAlice.authorize(caller, attrs("create /configmaps default"));
      expect(d.allowed, JSON.stringify(h)).toBe(false);
    }
  });

  it("becomes internal only through the in-process env, which no header reaches", async () => {
    const caller = await auth.authenticate(
      post({}),
      CLUSTER,
      { [INTERNAL_USER]: internalIdentity("eks") },
      "/api/v1",
    );
    expect(caller).toMatchObject({ internal: true, user: { username: "eks:addon-manager" } });
  });
});
