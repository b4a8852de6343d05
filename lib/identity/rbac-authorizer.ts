import { labelSelectorFromObject, type MetaLabelSelector } from "../api/selectors.ts";
import type { KubeObject } from "../api/types.ts";
import type { UserInfo } from "../api/user.ts";
import { CONTROLLER_ROLES, controllerRules, VOLUME_SCHEDULER_RULES } from "./controller-roles.ts";
import {
  ADMIN_RULES,
  AGGREGATE_TO_ADMIN_RULES,
  AGGREGATE_TO_EDIT_RULES,
  AGGREGATE_TO_VIEW_RULES,
  BASIC_USER_RULES,
  CLUSTER_ADMIN_RULES,
  DISCOVERY_RULES,
  EDIT_RULES,
  KUBE_CONTROLLER_MANAGER_RULES,
  KUBE_SCHEDULER_RULES,
  NODE_RULES,
  type PolicyRule,
  PUBLIC_INFO_RULES,
  type RuleRequest,
  ruleAllows,
  SERVICE_ACCOUNT_ISSUER_DISCOVERY_RULES,
  VIEW_RULES,
} from "./rbac-rules.ts";

// kube's RBAC authorizer over one snapshot of a cluster's Roles, ClusterRoles and their bindings: a request
// is allowed when a binding whose subjects include the user (by name, group or service account) refers to a
// role with a rule that allows it. A RoleBinding applies only in its namespace, also when it refers to a
// ClusterRole. Nothing here denies: no match is "no opinion". An aggregated ClusterRole's rules are worked
// out from the snapshot itself, as kube's aggregation controller would have written them, so no controller
// has to run before a CRD's role labelled aggregate-to-view shows through view, edit and admin.
//
// kube-apiserver re-creates missing bootstrap roles and bindings at every start. Lambda has no start, so a
// bootstrap ClusterRole or ClusterRoleBinding missing from the snapshot counts as present: clusters made
// before a bootstrap role existed (a controller's, say) get it, as a restarted kube-apiserver would give it.
//
// The authorizer runs on every request, internal ones included, so what a snapshot yields is worked out once
// per snapshot: the effective objects, RoleBindings by namespace, and each user's rules.

export interface RbacObjects {
  roles: KubeObject[];
  roleBindings: KubeObject[];
  clusterRoles: KubeObject[];
  clusterRoleBindings: KubeObject[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}
interface RoleRef {
  kind: string;
  name: string;
}
type Binding = KubeObject & { subjects?: Subject[]; roleRef?: RoleRef };
type Role = KubeObject & { rules?: PolicyRule[] };

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return s.name === user.username;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount":
      return user.username === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default:
      return false;
  }
}

type ClusterRole = Role & { aggregationRule?: { clusterRoleSelectors?: MetaLabelSelector[] } };

interface Resolved {
  byName: Map<string, ClusterRole>;
  /** Sorted by name. */
  all: ClusterRole[];
  rules: Map<string, PolicyRule[]>;
  /** The stored ClusterRoleBindings, and the bootstrap ones missing from storage. */
  clusterRoleBindings: Binding[];
  roleBindings: Map<string, Binding[]>;
  /** A user's rules by user and namespace. */
  userRules: Map<string, PolicyRule[]>;
}

/** Per snapshot: rbac-source hands out the same snapshot object while it is fresh. */
const resolved = new WeakMap<RbacObjects, Resolved>();

let bootstrapped: { clusterRoles: ClusterRole[]; clusterRoleBindings: Binding[] } | undefined;

/** `stored`, plus the bootstrap objects whose names it lacks. */
function withBootstrap<T extends KubeObject>(stored: T[], defaults: T[]): T[] {
  const names = new Set(stored.map((o) => o.metadata.name));
  const missing = defaults.filter((o) => !names.has(o.metadata.name));
  return missing.length > 0 ? [...stored, ...missing] : stored;
}

function resolve(o: RbacObjects): Resolved {
  let res = resolved.get(o);
  if (res) return res;
  if (!bootstrapped) {
    const objs = bootstrapRbacObjects();
    bootstrapped = {
      clusterRoles: objs.filter((x) => x.kind === "ClusterRole"),
      clusterRoleBindings: objs.filter((x) => x.kind === "ClusterRoleBinding"),
    };
  }
  const all = withBootstrap(o.clusterRoles as ClusterRole[], bootstrapped.clusterRoles)
    .filter((r) => r.metadata.name)
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const roleBindings = new Map<string, Binding[]>();
  for (const b of o.roleBindings as Binding[]) {
    const ns = b.metadata.namespace ?? "";
    const list = roleBindings.get(ns);
    if (list) list.push(b);
    else roleBindings.set(ns, [b]);
  }
  res = {
    byName: new Map(all.map((r) => [r.metadata.name!, r])),
    all,
    rules: new Map(),
    clusterRoleBindings: withBootstrap(o.clusterRoleBindings as Binding[], bootstrapped.clusterRoleBindings),
    roleBindings,
    userRules: new Map(),
  };
  resolved.set(o, res);
  return res;
}

const ruleKey = (r: PolicyRule) =>
  JSON.stringify([
    r.verbs,
    r.apiGroups ?? [],
    r.resources ?? [],
    r.resourceNames ?? [],
    r.nonResourceURLs ?? [],
  ]);

/**
 * The rules a ClusterRole grants. An aggregated one holds, per selector in order, the distinct rules of every
 * other ClusterRole its selector matches, taken in name order (the aggregation controller's order); those are
 * themselves aggregated first, so view's additions reach edit and admin. Its stored rules are what the
 * controller would overwrite, so they count only to break a cycle.
 */
function clusterRoleRules(o: RbacObjects, name: string, visiting = new Set<string>()): PolicyRule[] {
  const res = resolve(o);
  const known = res.rules.get(name);
  if (known) return known;
  const role = res.byName.get(name);
  if (!role) return [];
  if (!role.aggregationRule || visiting.has(name)) {
    const own = role.rules ?? [];
    if (!role.aggregationRule) res.rules.set(name, own);
    return own;
  }
  visiting.add(name);
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const sel of role.aggregationRule.clusterRoleSelectors ?? []) {
    const selector = labelSelectorFromObject(sel);
    for (const member of res.all) {
      if (member.metadata.name === name || !selector.matches(member.metadata.labels)) continue;
      for (const rule of clusterRoleRules(o, member.metadata.name!, visiting)) {
        const key = ruleKey(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(rule);
      }
    }
  }
  visiting.delete(name);
  // Within a cycle the result depends on where the walk entered it: remember only results reached cleanly.
  if (visiting.size === 0) res.rules.set(name, out);
  return out;
}

function rulesOfRef(o: RbacObjects, ref: RoleRef | undefined, namespace: string): PolicyRule[] {
  if (!ref) return [];
  if (ref.kind === "ClusterRole") return clusterRoleRules(o, ref.name);
  if (ref.kind !== "Role") return [];
  const role = o.roles.find((r) => r.metadata.name === ref.name && r.metadata.namespace === namespace) as
    | Role
    | undefined;
  return role?.rules ?? [];
}

/** Every rule the user holds in `namespace` ("" = only cluster-wide bindings). Do not modify the result. */
export function rulesOfUser(o: RbacObjects, user: UserInfo, namespace: string): PolicyRule[] {
  const res = resolve(o);
  const key = `${namespace}\u0000${user.username}\u0000${user.groups.join("\u0000")}`;
  const known = res.userRules.get(key);
  if (known) return known;
  const out: PolicyRule[] = [];
  for (const b of res.clusterRoleBindings)
    if ((b.subjects ?? []).some((s) => subjectMatches(s, user, "")))
      out.push(...rulesOfRef(o, b.roleRef, ""));
  if (namespace)
    for (const b of res.roleBindings.get(namespace) ?? [])
      if ((b.subjects ?? []).some((s) => subjectMatches(s, user, namespace)))
        out.push(...rulesOfRef(o, b.roleRef, namespace));
  // Bounded: a snapshot lives a few seconds, but a busy cluster sees many users and namespaces in them.
  if (res.userRules.size >= 2_000) res.userRules.clear();
  res.userRules.set(key, out);
  return out;
}

export function rbacAllows(o: RbacObjects, user: UserInfo, r: RuleRequest & { namespace?: string }): boolean {
  return rulesOfUser(o, user, r.namespace ?? "").some((rule) => ruleAllows(rule, r));
}

/** What SelfSubjectRulesReview reports. */
export function rulesReview(o: RbacObjects, user: UserInfo, namespace: string) {
  const rules = rulesOfUser(o, user, namespace);
  return {
    resourceRules: rules
      .filter((r) => !r.nonResourceURLs?.length)
      .map((r) => ({
        verbs: r.verbs,
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      })),
    nonResourceRules: rules
      .filter((r) => r.nonResourceURLs?.length)
      .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete: false,
  };
}

const BOOTSTRAP_META = {
  labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
  annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
};

const AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-";
const aggregatesTo = (...roles: string[]) =>
  Object.fromEntries(roles.map((r) => [`${AGGREGATE_TO}${r}`, "true"]));

interface RoleOptions {
  labels?: Record<string, string>;
  /** Aggregates the ClusterRoles labelled aggregate-to-<name>, as kube's admin, edit and view do. */
  aggregates?: string;
}

function clusterRole(name: string, rules: PolicyRule[], opts: RoleOptions = {}): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, ...BOOTSTRAP_META, labels: { ...BOOTSTRAP_META.labels, ...opts.labels } },
    ...(opts.aggregates
      ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregatesTo(opts.aggregates) }] } }
      : {}),
    rules,
  } as KubeObject;
}

function binding(name: string, role: string, subjects: Subject[], meta: object = BOOTSTRAP_META): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name, ...meta },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: subjects.map((s) =>
      s.kind === "ServiceAccount" ? s : { apiGroup: "rbac.authorization.k8s.io", ...s },
    ),
  } as KubeObject;
}

const group = (name: string): Subject => ({ kind: "Group", name });
const user = (name: string): Subject => ({ kind: "User", name });
const serviceAccount = (namespace: string, name: string): Subject => ({
  kind: "ServiceAccount",
  name,
  namespace,
});

/** kube's controller roles: system:controller:<name>, bound to the service account kube-system:<name>. */
function controllerRoleObjects(): KubeObject[] {
  return Object.keys(CONTROLLER_ROLES).flatMap((name) => [
    clusterRole(`system:controller:${name}`, controllerRules(name)),
    binding(`system:controller:${name}`, `system:controller:${name}`, [serviceAccount("kube-system", name)]),
  ]);
}

/**
 * kube's bootstrap ClusterRoles and bindings that matter to a Kumulus cluster. admin, edit and view carry
 * the rules their aggregation yields at creation (what kubectl shows once kube's controller has run); the
 * authorizer recomputes them from the system:aggregate-to-* roles and any role labelled to join them.
 */
export function bootstrapRbacObjects(): KubeObject[] {
  return [
    clusterRole("cluster-admin", CLUSTER_ADMIN_RULES),
    clusterRole("admin", ADMIN_RULES, { aggregates: "admin" }),
    clusterRole("edit", EDIT_RULES, { aggregates: "edit", labels: aggregatesTo("admin") }),
    clusterRole("view", VIEW_RULES, { aggregates: "view", labels: aggregatesTo("edit") }),
    clusterRole("system:aggregate-to-admin", AGGREGATE_TO_ADMIN_RULES, { labels: aggregatesTo("admin") }),
    clusterRole("system:aggregate-to-edit", AGGREGATE_TO_EDIT_RULES, { labels: aggregatesTo("edit") }),
    clusterRole("system:aggregate-to-view", AGGREGATE_TO_VIEW_RULES, { labels: aggregatesTo("view") }),
    clusterRole("system:discovery", DISCOVERY_RULES),
    clusterRole("system:basic-user", BASIC_USER_RULES),
    clusterRole("system:public-info-viewer", PUBLIC_INFO_RULES),
    clusterRole("system:service-account-issuer-discovery", SERVICE_ACCOUNT_ISSUER_DISCOVERY_RULES),
    clusterRole("system:node", NODE_RULES),
    clusterRole("system:kube-scheduler", KUBE_SCHEDULER_RULES),
    clusterRole("system:kube-controller-manager", KUBE_CONTROLLER_MANAGER_RULES),
    binding("cluster-admin", "cluster-admin", [group("system:masters")]),
    binding("system:discovery", "system:discovery", [group("system:authenticated")]),
    binding("system:basic-user", "system:basic-user", [group("system:authenticated")]),
    binding("system:public-info-viewer", "system:public-info-viewer", [
      group("system:authenticated"),
      group("system:unauthenticated"),
    ]),
    binding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", [
      group("system:serviceaccounts"),
    ]),
    binding("system:kube-scheduler", "system:kube-scheduler", [user("system:kube-scheduler")]),
    binding("system:kube-controller-manager", "system:kube-controller-manager", [
      user("system:kube-controller-manager"),
    ]),
    clusterRole("system:volume-scheduler", VOLUME_SCHEDULER_RULES),
    binding("system:volume-scheduler", "system:volume-scheduler", [user("system:kube-scheduler")]),
    ...controllerRoleObjects(),
    // EKS applies add-ons as eks:addon-manager, which it makes a cluster admin.
    binding("eks:addon-cluster-admin", "cluster-admin", [user("eks:addon-manager")], {}),
  ];
}
