import type { KubeObject } from "../api/types.ts";
import type { UserInfo } from "../api/user.ts";
import {
  ADMIN_RULES,
  BASIC_USER_RULES,
  CLUSTER_ADMIN_RULES,
  DISCOVERY_RULES,
  EDIT_RULES,
  type PolicyRule,
  PUBLIC_INFO_RULES,
  type RuleRequest,
  ruleAllows,
  VIEW_RULES,
} from "./rbac-rules.ts";

// kube's RBAC authorizer over one snapshot of a cluster's Roles, ClusterRoles and their bindings: a request
// is allowed when a binding whose subjects include the user (by name, group or service account) refers to a
// role with a rule that allows it. A RoleBinding applies only in its namespace, also when it refers to a
// ClusterRole. Nothing here denies: no match is "no opinion".

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

function rulesOfRef(o: RbacObjects, ref: RoleRef | undefined, namespace: string): PolicyRule[] {
  if (!ref) return [];
  const pool = ref.kind === "ClusterRole" ? o.clusterRoles : o.roles;
  const role = pool.find(
    (r) => r.metadata.name === ref.name && (ref.kind === "ClusterRole" || r.metadata.namespace === namespace),
  ) as Role | undefined;
  return role?.rules ?? [];
}

/** Every rule the user holds in `namespace` ("" = only cluster-wide bindings). */
export function rulesOfUser(o: RbacObjects, user: UserInfo, namespace: string): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const b of o.clusterRoleBindings as Binding[])
    if ((b.subjects ?? []).some((s) => subjectMatches(s, user, "")))
      out.push(...rulesOfRef(o, b.roleRef, ""));
  if (namespace)
    for (const b of o.roleBindings as Binding[])
      if (
        b.metadata.namespace === namespace &&
        (b.subjects ?? []).some((s) => subjectMatches(s, user, namespace))
      )
        out.push(...rulesOfRef(o, b.roleRef, namespace));
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

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, ...BOOTSTRAP_META, labels: { ...BOOTSTRAP_META.labels, ...labels } },
    rules,
  } as KubeObject;
}

function binding(name: string, role: string, subjects: Subject[]): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name, ...BOOTSTRAP_META },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: subjects.map((s) =>
      s.kind === "ServiceAccount" ? s : { apiGroup: "rbac.authorization.k8s.io", ...s },
    ),
  } as KubeObject;
}

const group = (name: string): Subject => ({ kind: "Group", name });

/** kube's user-facing bootstrap roles and the bindings every cluster starts with. */
export function bootstrapRbacObjects(): KubeObject[] {
  return [
    clusterRole("cluster-admin", CLUSTER_ADMIN_RULES),
    clusterRole("admin", ADMIN_RULES),
    clusterRole("edit", EDIT_RULES, { "rbac.authorization.k8s.io/aggregate-to-admin": "true" }),
    clusterRole("view", VIEW_RULES, { "rbac.authorization.k8s.io/aggregate-to-edit": "true" }),
    clusterRole("system:discovery", DISCOVERY_RULES),
    clusterRole("system:basic-user", BASIC_USER_RULES),
    clusterRole("system:public-info-viewer", PUBLIC_INFO_RULES),
    binding("cluster-admin", "cluster-admin", [group("system:masters")]),
    binding("system:discovery", "system:discovery", [group("system:authenticated")]),
    binding("system:basic-user", "system:basic-user", [group("system:authenticated")]),
    binding("system:public-info-viewer", "system:public-info-viewer", [
      group("system:authenticated"),
      group("system:unauthenticated"),
    ]),
  ];
}
