import { beforeAll, describe, expect, it } from "vitest";
import { newCluster, type TestCluster } from "../helpers.ts";

// `kubectl api-resources -o wide` lists every built-in resource of kube 1.32 with kube's verbs.

const ALL = "create,delete,deletecollection,get,list,patch,update,watch";
const CREATE = "create";

/** kube 1.32's built-in resources (group/plural) and their verbs; anything not listed has ALL. */
const KUBE_1_32: Record<string, string> = {
  "/bindings": CREATE,
  "/componentstatuses": "get,list",
  "/namespaces": "create,delete,get,list,patch,update,watch",
  "authentication.k8s.io/selfsubjectreviews": CREATE,
  "authentication.k8s.io/tokenreviews": CREATE,
  "authorization.k8s.io/localsubjectaccessreviews": CREATE,
  "authorization.k8s.io/selfsubjectaccessreviews": CREATE,
  "authorization.k8s.io/selfsubjectrulesreviews": CREATE,
  "authorization.k8s.io/subjectaccessreviews": CREATE,
};
const WITH_ALL = [
  "/configmaps",
  "/endpoints",
  "/events",
  "/limitranges",
  "/nodes",
  "/persistentvolumeclaims",
  "/persistentvolumes",
  "/pods",
  "/podtemplates",
  "/replicationcontrollers",
  "/resourcequotas",
  "/secrets",
  "/serviceaccounts",
  "/services",
  "admissionregistration.k8s.io/mutatingwebhookconfigurations",
  "admissionregistration.k8s.io/validatingadmissionpolicies",
  "admissionregistration.k8s.io/validatingadmissionpolicybindings",
  "admissionregistration.k8s.io/validatingwebhookconfigurations",
  "apiextensions.k8s.io/customresourcedefinitions",
  "apiregistration.k8s.io/apiservices",
  "apps/controllerrevisions",
  "apps/daemonsets",
  "apps/deployments",
  "apps/replicasets",
  "apps/statefulsets",
  "autoscaling/horizontalpodautoscalers",
  "batch/cronjobs",
  "batch/jobs",
  "certificates.k8s.io/certificatesigningrequests",
  "coordination.k8s.io/leases",
  "discovery.k8s.io/endpointslices",
  "events.k8s.io/events",
  "flowcontrol.apiserver.k8s.io/flowschemas",
  "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations",
  "networking.k8s.io/ingressclasses",
  "networking.k8s.io/ingresses",
  "networking.k8s.io/networkpolicies",
  "node.k8s.io/runtimeclasses",
  "policy/poddisruptionbudgets",
  "rbac.authorization.k8s.io/clusterrolebindings",
  "rbac.authorization.k8s.io/clusterroles",
  "rbac.authorization.k8s.io/rolebindings",
  "rbac.authorization.k8s.io/roles",
  "scheduling.k8s.io/priorityclasses",
  "storage.k8s.io/csidrivers",
  "storage.k8s.io/csinodes",
  "storage.k8s.io/csistoragecapacities",
  "storage.k8s.io/storageclasses",
  "storage.k8s.io/volumeattachments",
];
for (const r of WITH_ALL) KUBE_1_32[r] = ALL;

let k: TestCluster;

beforeAll(async () => {
  k = await newCluster("apires");
}, 60_000);

describe("kubectl api-resources -o wide", () => {
  it("lists kube 1.32's built-in resources with kube's verbs", () => {
    const r = k.kubectl(["api-resources", "-o", "wide", "--no-headers"]);
    expect(r.code, r.stderr).toBe(0);
    const seen: Record<string, string> = {};
    for (const line of r.stdout.trim().split("\n")) {
      const cols = line.trim().split(/\s+/);
      const verbs = cols.at(-1) ?? "";
      // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND VERBS [CATEGORIES]: find APIVERSION by its shape.
      const i = cols.findIndex((c, j) => j > 0 && /^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(c));
      const apiVersion = cols[i];
      const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
      // Categories come last when present; the verbs column is the one with a comma list or a single verb.
      const verbCol = cols
        .slice(i + 3)
        .find((c) => /^[a-z,]+$/.test(c) && c.split(",").every((v) => ALL.includes(v)));
      seen[`${group}/${cols[0]}`] = verbCol ?? verbs;
    }
    const mismatches = Object.entries(KUBE_1_32)
      .filter(([res, verbs]) => seen[res] !== verbs)
      .map(([res, verbs]) => `${res}: kube ${verbs}, here ${seen[res] ?? "(missing)"}`);
    expect(mismatches).toEqual([]);
  });

  it("answers componentstatuses, TokenReviews and the bindings path", async () => {
    expect(k.kubectl(["get", "componentstatuses", "-o", "name"]).stdout).toContain("componentstatus/etcd-0");
    const review = await k.api("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      spec: { token: k.token() },
    });
    expect(review.status).toBe(201);
    expect((review.body as { status: { authenticated: boolean } }).status.authenticated).toBe(true);
    const bad = await k.api("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      spec: { token: "not-a-token" },
    });
    expect((bad.body as { status: { authenticated: boolean } }).status.authenticated).toBe(false);
    await k.api("POST", "/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "manual" },
      spec: { schedulerName: "nobody", containers: [{ name: "c", image: "nginx" }] },
    });
    const bound = await k.api("POST", "/api/v1/namespaces/default/bindings", {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "manual" },
      target: { apiVersion: "v1", kind: "Node", name: "somewhere" },
    });
    expect(bound.status).toBe(201);
    const pod = (await k.api("GET", "/api/v1/namespaces/default/pods/manual")).body as {
      spec: { nodeName: string };
    };
    expect(pod.spec.nodeName).toBe("somewhere");
  });
});
