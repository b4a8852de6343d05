// RBAC's rule matching and kube's user-facing rule sets (view, edit, admin, cluster-admin as kube 1.32's
// bootstrap policy aggregates them), which EKS's access policies also grant. Pure data and predicates.

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface RuleRequest {
  verb: string;
  group: string;
  /** "" for a non-resource request. */
  resource: string;
  subresource?: string;
  name?: string;
  path: string;
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes("*") || list.includes(v));

function resourceMatches(rule: PolicyRule, r: RuleRequest): boolean {
  const full = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  for (const x of rule.resources ?? []) {
    if (x === "*" || x === full) return true;
    if (r.subresource && x === `*/${r.subresource}`) return true;
    if (x.endsWith("/*") && x.slice(0, -2) === r.resource && r.subresource) return true;
  }
  return false;
}

/** Whether one rule allows the request (kube's RuleAllows / NonResourceURLMatches). */
export function ruleAllows(rule: PolicyRule, r: RuleRequest): boolean {
  if (!has(rule.verbs, r.verb)) return false;
  if (!r.resource) {
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === "*" || u === r.path || (u.endsWith("*") && r.path.startsWith(u.slice(0, -1))),
    );
  }
  if (!has(rule.apiGroups, r.group) || !resourceMatches(rule, r)) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0)
    return !!r.name && rule.resourceNames.includes(r.name);
  return true;
}

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

const VIEW_CORE = [
  "configmaps",
  "endpoints",
  "persistentvolumeclaims",
  "persistentvolumeclaims/status",
  "pods",
  "replicationcontrollers",
  "replicationcontrollers/scale",
  "serviceaccounts",
  "services",
  "services/status",
  "bindings",
  "events",
  "limitranges",
  "namespaces/status",
  "pods/log",
  "pods/status",
  "replicationcontrollers/status",
  "resourcequotas",
  "resourcequotas/status",
  "namespaces",
];
const APPS = [
  "controllerrevisions",
  "daemonsets",
  "daemonsets/status",
  "deployments",
  "deployments/scale",
  "deployments/status",
  "replicasets",
  "replicasets/scale",
  "replicasets/status",
  "statefulsets",
  "statefulsets/scale",
  "statefulsets/status",
];
const VIEW_GROUPS: PolicyRule[] = [
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
  { apiGroups: ["apps"], resources: APPS, verbs: READ },
  {
    apiGroups: ["autoscaling"],
    resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
    verbs: READ,
  },
  { apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], verbs: READ },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"], verbs: READ },
  {
    apiGroups: ["networking.k8s.io"],
    resources: ["ingresses", "ingresses/status", "networkpolicies"],
    verbs: READ,
  },
  { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: READ },
];

export const VIEW_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: VIEW_CORE, verbs: READ },
  ...VIEW_GROUPS,
];

export const EDIT_RULES: PolicyRule[] = [
  ...VIEW_RULES,
  {
    apiGroups: [""],
    resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
    verbs: READ,
  },
  { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
  {
    apiGroups: [""],
    resources: [
      "pods",
      "pods/attach",
      "pods/exec",
      "pods/portforward",
      "pods/proxy",
      "configmaps",
      "endpoints",
      "persistentvolumeclaims",
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "secrets",
      "serviceaccounts",
      "services",
      "services/proxy",
    ],
    verbs: WRITE,
  },
  { apiGroups: [""], resources: ["pods/eviction", "serviceaccounts/token"], verbs: ["create"] },
  {
    apiGroups: ["apps"],
    resources: [
      "daemonsets",
      "deployments",
      "deployments/rollback",
      "deployments/scale",
      "replicasets",
      "replicasets/scale",
      "statefulsets",
      "statefulsets/scale",
    ],
    verbs: WRITE,
  },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
  { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: WRITE },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: WRITE },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: WRITE },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: WRITE },
];

export const ADMIN_RULES: PolicyRule[] = [
  ...EDIT_RULES,
  { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
  {
    apiGroups: ["rbac.authorization.k8s.io"],
    resources: ["rolebindings", "roles"],
    verbs: [...READ, ...WRITE],
  },
];

export const CLUSTER_ADMIN_RULES: PolicyRule[] = [
  { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
  { nonResourceURLs: ["*"], verbs: ["*"] },
];

export const DISCOVERY_RULES: PolicyRule[] = [
  {
    nonResourceURLs: [
      "/api",
      "/api/*",
      "/apis",
      "/apis/*",
      "/healthz",
      "/livez",
      "/openapi",
      "/openapi/*",
      "/readyz",
      "/version",
      "/version/",
    ],
    verbs: ["get"],
  },
];

export const BASIC_USER_RULES: PolicyRule[] = [
  {
    apiGroups: ["authorization.k8s.io"],
    resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
    verbs: ["create"],
  },
  { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
];

export const PUBLIC_INFO_RULES: PolicyRule[] = [
  { nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] },
];
