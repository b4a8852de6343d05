import {
  ADMIN_RULES,
  CLUSTER_ADMIN_RULES,
  EDIT_RULES,
  type PolicyRule,
  type RuleRequest,
  ruleAllows,
  VIEW_RULES,
} from "./rbac-rules.ts";

// EKS access policies as an authorizer (eks-auth.md §6). EKS evaluates them before RBAC: the policies
// associated with the caller's access entry each grant a rule set like kube's user-facing roles, at cluster
// scope or in a list of namespaces (names may end in a `*` wildcard). The policies never deny; what they do
// not grant is left to RBAC.

export interface AccessScope {
  type: "cluster" | "namespace";
  namespaces: string[];
}

export interface AccessGrant {
  policyArn: string;
  accessScope: AccessScope;
}

const POLICY_PREFIX = "arn:aws:eks::aws:cluster-access-policy/";

/** AmazonEKSAdminViewPolicy: read everything, secrets included (added by EKS in April 2024). */
const ADMIN_VIEW_RULES: PolicyRule[] = [
  { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch"] },
];

const RULES: Record<string, PolicyRule[]> = {
  AmazonEKSClusterAdminPolicy: CLUSTER_ADMIN_RULES,
  AmazonEKSAdminPolicy: ADMIN_RULES,
  AmazonEKSEditPolicy: EDIT_RULES,
  AmazonEKSViewPolicy: VIEW_RULES,
  AmazonEKSAdminViewPolicy: ADMIN_VIEW_RULES,
};

/** The rules a policy grants inside the cluster; [] for policies meant for EKS's own components. */
export function policyRules(policyArn: string): PolicyRule[] {
  if (!policyArn.startsWith(POLICY_PREFIX)) return [];
  return RULES[policyArn.slice(POLICY_PREFIX.length)] ?? [];
}

function namespaceMatches(pattern: string, namespace: string): boolean {
  return pattern.endsWith("*") ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace;
}

/** Whether the scope covers a request: cluster scope covers all; a namespace scope only its namespaces. */
export function scopeCovers(scope: AccessScope, namespace: string | undefined): boolean {
  if (scope.type === "cluster") return true;
  return !!namespace && scope.namespaces.some((p) => namespaceMatches(p, namespace));
}

export function accessPoliciesAllow(
  grants: readonly AccessGrant[],
  r: RuleRequest & { namespace?: string },
): boolean {
  return grants.some(
    (g) =>
      scopeCovers(g.accessScope, r.namespace) && policyRules(g.policyArn).some((rule) => ruleAllows(rule, r)),
  );
}
