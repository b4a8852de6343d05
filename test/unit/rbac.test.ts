import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import type { UserInfo } from "../../lib/api/user.ts";
import {
  bootstrapRbacObjects,
  type RbacObjects,
  rbacAllows,
  rulesOfUser,
  rulesReview,
} from "../../lib/identity/rbac-authorizer.ts";
import type { RuleRequest } from "../../lib/identity/rbac-rules.ts";

// The RBAC authorizer over snapshots made of kube's bootstrap objects plus a few of the test's own: bindings
// and their scope, rule matching, ClusterRole aggregation, and what a fresh service account may do.

const RBAC = "rbac.authorization.k8s.io/v1";

function snapshot(extra: KubeObject[] = []): RbacObjects {
  const all = [...bootstrapRbacObjects(), ...extra];
  const of = (kind: string) => all.filter((o) => o.kind === kind);
  return {
    roles: of("Role"),
    roleBindings: of("RoleBinding"),
    clusterRoles: of("ClusterRole"),
    clusterRoleBindings: of("ClusterRoleBinding"),
  };
}

const clusterRole = (name: string, rules: unknown[], labels?: Record<string, string>, more = {}) =>
  ({ apiVersion: RBAC, kind: "ClusterRole", metadata: { name, labels }, rules, ...more }) as KubeObject;

const role = (namespace: string, name: string, rules: unknown[]) =>
  ({ apiVersion: RBAC, kind: "Role", metadata: { name, namespace }, rules }) as KubeObject;

function bind(
  kind: "RoleBinding" | "ClusterRoleBinding",
  name: string,
  ref: { kind: "Role" | "ClusterRole"; name: string },
  subjects: unknown[],
  namespace?: string,
): KubeObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: namespace ? { name, namespace } : { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...ref },
    subjects,
  } as KubeObject;
}

const userNamed = (username: string, groups: string[] = []): UserInfo => ({
  username,
  groups: [...groups, "system:authenticated"],
});

type Ask = Partial<RuleRequest> & { verb: string; namespace?: string };
const ask = (r: Ask) => ({ group: "", resource: "", path: "", ...r });

/** A CRD's roles, labelled the way operators label them to extend kube's user-facing roles. */
const WIDGET_VIEWER = clusterRole(
  "widgets-view",
  [{ apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get", "list", "watch"] }],
  { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
);
const WIDGET_EDITOR = clusterRole(
  "widgets-edit",
  [{ apiGroups: ["example.com"], resources: ["widgets"], verbs: ["create", "delete", "patch", "update"] }],
  { "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
);

describe("ClusterRole aggregation", () => {
  const o = snapshot([
    WIDGET_VIEWER,
    WIDGET_EDITOR,
    bind("RoleBinding", "v", { kind: "ClusterRole", name: "view" }, [{ kind: "User", name: "vic" }], "team"),
    bind("RoleBinding", "e", { kind: "ClusterRole", name: "edit" }, [{ kind: "User", name: "eve" }], "team"),
    bind("RoleBinding", "a", { kind: "ClusterRole", name: "admin" }, [{ kind: "User", name: "ada" }], "team"),
  ]);
  const widgets = (verb: string) =>
    ask({ verb, group: "example.com", resource: "widgets", namespace: "team" });

  it("shows a role labelled aggregate-to-view through view, edit and admin", () => {
    for (const who of ["vic", "eve", "ada"])
      expect(rbacAllows(o, userNamed(who), widgets("list"))).toBe(true);
    // What joined edit does not flow down to view.
    expect(rbacAllows(o, userNamed("vic"), widgets("create"))).toBe(false);
    expect(rbacAllows(o, userNamed("eve"), widgets("create"))).toBe(true);
    expect(rbacAllows(o, userNamed("ada"), widgets("create"))).toBe(true);
    expect(rbacAllows(o, userNamed("nobody"), widgets("list"))).toBe(false);
  });

  it("keeps kube's base rules in the system:aggregate-to-* roles", () => {
    const pods = (verb: string, who: string) =>
      rbacAllows(o, userNamed(who), ask({ verb, resource: "pods", namespace: "team" }));
    expect([pods("list", "vic"), pods("create", "vic")]).toEqual([true, false]);
    expect([pods("create", "eve"), pods("create", "ada")]).toEqual([true, true]);
    const roles = (who: string) =>
      rbacAllows(
        o,
        userNamed(who),
        ask({ verb: "create", group: "rbac.authorization.k8s.io", resource: "roles", namespace: "team" }),
      );
    expect([roles("eve"), roles("ada")]).toEqual([false, true]);
    const secrets = (who: string) =>
      rbacAllows(o, userNamed(who), ask({ verb: "get", resource: "secrets", namespace: "team" }));
    expect([secrets("vic"), secrets("eve")]).toEqual([false, true]);
  });

  it("gives the bootstrap roles kube's labels and aggregationRules", () => {
    const byName = new Map(o.clusterRoles.map((r) => [r.metadata.name, r as any]));
    const selects = (name: string) => byName.get(name).aggregationRule.clusterRoleSelectors;
    expect(selects("admin")).toEqual([
      { matchLabels: { "rbac.authorization.k8s.io/aggregate-to-admin": "true" } },
    ]);
    expect(selects("edit")).toEqual([
      { matchLabels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } },
    ]);
    expect(selects("view")).toEqual([
      { matchLabels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
    ]);
    expect(byName.get("edit").metadata.labels["rbac.authorization.k8s.io/aggregate-to-admin"]).toBe("true");
    expect(byName.get("view").metadata.labels["rbac.authorization.k8s.io/aggregate-to-edit"]).toBe("true");
    for (const r of ["admin", "edit", "view"])
      expect(
        byName.get(`system:aggregate-to-${r}`).metadata.labels[`rbac.authorization.k8s.io/aggregate-to-${r}`],
      ).toBe("true");
  });

  it("honours matchExpressions, ignores an aggregated role's stored rules and survives a cycle", () => {
    const sel = { matchExpressions: [{ key: "tier", operator: "In", values: ["gold", "silver"] }] };
    const p = snapshot([
      clusterRole("gold", [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }], { tier: "gold" }),
      clusterRole("bronze", [{ apiGroups: [""], resources: ["nodes"], verbs: ["delete"] }], {
        tier: "bronze",
      }),
      clusterRole("medals", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }], undefined, {
        aggregationRule: { clusterRoleSelectors: [sel] },
      }),
      // Two roles that select each other.
      clusterRole(
        "ping",
        [],
        { loop: "pong" },
        { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { loop: "ping" } }] } },
      ),
      clusterRole(
        "pong",
        [],
        { loop: "ping" },
        { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { loop: "pong" } }] } },
      ),
      bind("ClusterRoleBinding", "m", { kind: "ClusterRole", name: "medals" }, [
        { kind: "User", name: "mo" },
      ]),
      bind("ClusterRoleBinding", "p", { kind: "ClusterRole", name: "ping" }, [{ kind: "User", name: "pi" }]),
    ]);
    const mo = userNamed("mo");
    expect(rbacAllows(p, mo, ask({ verb: "get", resource: "nodes" }))).toBe(true);
    expect(rbacAllows(p, mo, ask({ verb: "delete", resource: "nodes" }))).toBe(false);
    expect(rbacAllows(p, mo, ask({ verb: "get", resource: "pods", namespace: "x" }))).toBe(false);
    expect(rulesOfUser(p, userNamed("pi"), "")).toEqual(rulesOfUser(snapshot(), userNamed("pi"), ""));
  });
});

describe("bindings and rules", () => {
  const o = snapshot([
    role("team-a", "pod-reader", [
      { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] },
    ]),
    bind(
      "RoleBinding",
      "r",
      { kind: "Role", name: "pod-reader" },
      [{ kind: "User", name: "rita" }],
      "team-a",
    ),
    bind(
      "RoleBinding",
      "c",
      { kind: "ClusterRole", name: "edit" },
      [{ kind: "Group", name: "devs" }],
      "team-a",
    ),
    clusterRole("one-config", [
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["app-config"], verbs: ["get", "update"] },
    ]),
    bind("ClusterRoleBinding", "o", { kind: "ClusterRole", name: "one-config" }, [
      { kind: "User", name: "olga" },
    ]),
    clusterRole("logs", [{ nonResourceURLs: ["/logs/*", "/metrics"], verbs: ["get"] }]),
    bind("ClusterRoleBinding", "l", { kind: "ClusterRole", name: "logs" }, [
      { kind: "ServiceAccount", name: "scraper", namespace: "mon" },
    ]),
  ]);

  it("applies a RoleBinding to a ClusterRole only in the binding's namespace", () => {
    const dev = userNamed("dan", ["devs"]);
    const create = (namespace?: string) =>
      rbacAllows(o, dev, ask({ verb: "create", resource: "configmaps", namespace }));
    expect(create("team-a")).toBe(true);
    expect(create("team-b")).toBe(false);
    expect(create(undefined)).toBe(false);
  });

  it("applies a RoleBinding to a Role in its namespace, subresources named as such", () => {
    const rita = userNamed("rita");
    const get = (namespace: string, subresource?: string) =>
      rbacAllows(o, rita, ask({ verb: "get", resource: "pods", subresource, namespace }));
    expect(get("team-a")).toBe(true);
    expect(get("team-a", "log")).toBe(true);
    expect(get("team-a", "exec")).toBe(false);
    expect(get("team-b")).toBe(false);
  });

  it("limits a rule with resourceNames to those names", () => {
    const olga = userNamed("olga");
    const cm = (verb: string, name?: string) =>
      rbacAllows(o, olga, ask({ verb, resource: "configmaps", name, namespace: "any" }));
    expect(cm("get", "app-config")).toBe(true);
    expect(cm("update", "app-config")).toBe(true);
    expect(cm("get", "other")).toBe(false);
    // A list names nothing, so a rule with resourceNames cannot allow it.
    expect(cm("list")).toBe(false);
  });

  it("matches nonResourceURLs exactly or by a trailing *", () => {
    const sa = userNamed("system:serviceaccount:mon:scraper", [
      "system:serviceaccounts",
      "system:serviceaccounts:mon",
    ]);
    const get = (path: string, verb = "get") => rbacAllows(o, sa, ask({ verb, path }));
    expect(get("/metrics")).toBe(true);
    expect(get("/metrics/slis")).toBe(false);
    expect(get("/logs/")).toBe(true);
    expect(get("/logs/kube-apiserver.log")).toBe(true);
    expect(get("/logs")).toBe(false);
    expect(get("/metrics", "post")).toBe(false);
    // Another namespace's service account of the same name is someone else.
    expect(
      rbacAllows(
        o,
        userNamed("system:serviceaccount:default:scraper"),
        ask({ verb: "get", path: "/metrics" }),
      ),
    ).toBe(false);
  });
});

describe("a fresh service account", () => {
  const sa = userNamed("system:serviceaccount:default:default", [
    "system:serviceaccounts",
    "system:serviceaccounts:default",
  ]);

  it("gets what kube 1.32 lists for `kubectl auth can-i --list`", () => {
    const review = rulesReview(snapshot(), sa, "default");
    const resources = review.resourceRules.flatMap((r) =>
      r.resources.map((res) => `${res}.${r.apiGroups.join(",")} ${r.verbs.join(",")}`),
    );
    expect(resources.sort()).toEqual([
      "selfsubjectaccessreviews.authorization.k8s.io create",
      "selfsubjectreviews.authentication.k8s.io create",
      "selfsubjectrulesreviews.authorization.k8s.io create",
    ]);
    expect(review.resourceRules.every((r) => !("resourceNames" in r))).toBe(true);
    const urls = review.nonResourceRules.flatMap((r) => {
      expect(r.verbs).toEqual(["get"]);
      return r.nonResourceURLs ?? [];
    });
    expect([...new Set(urls)].sort()).toEqual(
      [
        "/.well-known/openid-configuration",
        "/.well-known/openid-configuration/",
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/openapi",
        "/openapi/*",
        "/openid/v1/jwks",
        "/openid/v1/jwks/",
        "/readyz",
        "/version",
        "/version/",
      ].sort(),
    );
    expect(review.incomplete).toBe(false);
  });

  it("may read the issuer's discovery documents, which other users may not", () => {
    const o = snapshot();
    const jwks = ask({ verb: "get", path: "/openid/v1/jwks" });
    expect(rbacAllows(o, sa, jwks)).toBe(true);
    expect(rbacAllows(o, userNamed("alice"), jwks)).toBe(false);
    expect(rbacAllows(o, sa, ask({ verb: "list", resource: "pods", namespace: "default" }))).toBe(false);
  });
});

describe("kube's system components", () => {
  const o = snapshot();

  it("binds system:kube-scheduler and system:kube-controller-manager to their users", () => {
    const scheduler = userNamed("system:kube-scheduler");
    expect(
      rbacAllows(
        o,
        scheduler,
        ask({ verb: "create", resource: "pods", subresource: "binding", namespace: "x" }),
      ),
    ).toBe(true);
    expect(rbacAllows(o, scheduler, ask({ verb: "delete", resource: "nodes" }))).toBe(false);
    const lease = (name: string) =>
      ask({
        verb: "update",
        group: "coordination.k8s.io",
        resource: "leases",
        name,
        namespace: "kube-system",
      });
    expect(rbacAllows(o, scheduler, lease("kube-scheduler"))).toBe(true);
    expect(rbacAllows(o, scheduler, lease("kube-controller-manager"))).toBe(false);
    const kcm = userNamed("system:kube-controller-manager");
    expect(rbacAllows(o, kcm, ask({ verb: "watch", group: "apps", resource: "deployments" }))).toBe(true);
    expect(rbacAllows(o, kcm, lease("kube-controller-manager"))).toBe(true);
    expect(
      rbacAllows(o, kcm, ask({ verb: "delete", group: "apps", resource: "deployments", namespace: "x" })),
    ).toBe(false);
  });

  it("defines system:node but binds nobody to it, as kube ≥ 1.8 leaves nodes to the Node authorizer", () => {
    expect(o.clusterRoles.some((r) => r.metadata.name === "system:node")).toBe(true);
    expect(o.clusterRoleBindings.some((b) => (b as any).roleRef.name === "system:node")).toBe(false);
    const node = userNamed("system:node:ip-10-0-0-1", ["system:nodes"]);
    expect(rbacAllows(o, node, ask({ verb: "get", resource: "configmaps", namespace: "x" }))).toBe(false);
  });
});
