// RBAC's rule matching and the rules of kube's bootstrap ClusterRoles: the user-facing sets (view, edit, admin
// as kube 1.32 aggregates them from system:aggregate-to-*, and cluster-admin), which EKS's access policies
// also grant, and the rules of a few system roles. Pure data and predicates.

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

/** kube's system:aggregate-to-view: what `view` aggregates before any CRD's role adds to it. */
export const AGGREGATE_TO_VIEW_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: VIEW_CORE, verbs: READ },
  ...VIEW_GROUPS,
];

/** kube's system:aggregate-to-edit: what `edit` adds to `view`. */
export const AGGREGATE_TO_EDIT_RULES: PolicyRule[] = [
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

/** kube's system:aggregate-to-admin: what `admin` adds to `edit`. */
export const AGGREGATE_TO_ADMIN_RULES: PolicyRule[] = [
  { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
  {
    apiGroups: ["rbac.authorization.k8s.io"],
    resources: ["rolebindings", "roles"],
    verbs: [...READ, ...WRITE],
  },
];

// What view, edit and admin hold when only the bootstrap roles aggregate into them, in the order the
// aggregation controller builds them (matching roles sorted by name). EKS's access policies grant these.
export const VIEW_RULES: PolicyRule[] = AGGREGATE_TO_VIEW_RULES;
export const EDIT_RULES: PolicyRule[] = [...AGGREGATE_TO_EDIT_RULES, ...VIEW_RULES];
export const ADMIN_RULES: PolicyRule[] = [...EDIT_RULES, ...AGGREGATE_TO_ADMIN_RULES];

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

/** The OIDC discovery documents, so a workload can verify tokens its cluster's issuer signed. */
export const SERVICE_ACCOUNT_ISSUER_DISCOVERY_RULES: PolicyRule[] = [
  {
    nonResourceURLs: [
      "/.well-known/openid-configuration",
      "/.well-known/openid-configuration/",
      "/openid/v1/jwks",
      "/openid/v1/jwks/",
    ],
    verbs: ["get"],
  },
];

const ruleOf = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]) =>
  resourceNames ? { apiGroups, resources, verbs, resourceNames } : { apiGroups, resources, verbs };

const EVENTS = ruleOf(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]);
const REVIEWS = [
  ruleOf(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
  ruleOf(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
];
/** Leader election: anyone of the role may create a lease, but only read and renew its own. */
const leaderLease = (name: string) => [
  ruleOf(["coordination.k8s.io"], ["leases"], ["create"]),
  ruleOf(["coordination.k8s.io"], ["leases"], ["get", "update"], [name]),
];

/** kube's system:kube-scheduler, without the extensions group Kumulus does not serve. */
export const KUBE_SCHEDULER_RULES: PolicyRule[] = [
  EVENTS,
  ...leaderLease("kube-scheduler"),
  ruleOf([""], ["nodes"], READ),
  ruleOf([""], ["pods"], ["delete", ...READ]),
  ruleOf([""], ["bindings", "pods/binding"], ["create"]),
  ruleOf([""], ["pods/status"], ["patch", "update"]),
  ruleOf([""], ["replicationcontrollers", "services"], READ),
  ruleOf(["apps"], ["replicasets", "statefulsets"], READ),
  ruleOf(["policy"], ["poddisruptionbudgets"], READ),
  ruleOf([""], ["persistentvolumeclaims", "persistentvolumes"], READ),
  ...REVIEWS,
  ruleOf(["storage.k8s.io"], ["csinodes", "csidrivers", "csistoragecapacities"], READ),
  ruleOf([""], ["namespaces"], READ),
];

/**
 * kube's system:kube-controller-manager: what the manager itself needs. Each controller acts as its own
 * service account (--use-service-account-credentials) with its system:controller:* role (controller-roles.ts).
 */
export const KUBE_CONTROLLER_MANAGER_RULES: PolicyRule[] = [
  EVENTS,
  ...leaderLease("kube-controller-manager"),
  ruleOf([""], ["secrets", "serviceaccounts"], ["create"]),
  ruleOf([""], ["secrets"], ["delete"]),
  ruleOf([""], ["configmaps", "namespaces", "secrets", "serviceaccounts"], ["get"]),
  ruleOf([""], ["secrets", "serviceaccounts"], ["update"]),
  ...REVIEWS,
  ruleOf(["*"], ["*"], ["list", "watch"]),
  ruleOf([""], ["serviceaccounts/token"], ["create"]),
];

/**
 * kube's system:node. No binding grants it: the Node authorizer (node-authorizer.ts) decides for kubelets, as
 * since kube 1.8, and evaluates these rules for the resources it does not subdivide.
 */
export const NODE_RULES: PolicyRule[] = [
  ruleOf(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
  ruleOf(["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"], ["create"]),
  ruleOf([""], ["services"], READ),
  ruleOf([""], ["nodes"], ["create", ...READ]),
  ruleOf([""], ["nodes/status"], ["patch", "update"]),
  ruleOf([""], ["nodes"], ["patch", "update"]),
  ruleOf([""], ["events"], ["create", "patch", "update"]),
  ruleOf([""], ["pods"], READ),
  ruleOf([""], ["pods"], ["create", "delete"]),
  ruleOf([""], ["pods/status"], ["patch", "update"]),
  ruleOf([""], ["pods/eviction"], ["create"]),
  ruleOf([""], ["configmaps", "secrets"], READ),
  ruleOf([""], ["persistentvolumeclaims", "persistentvolumes"], ["get"]),
  ruleOf([""], ["endpoints"], ["get"]),
  ruleOf(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", ...READ]),
  ruleOf(["coordination.k8s.io"], ["leases"], ["create", "delete", "get", "patch", "update"]),
  ruleOf(["storage.k8s.io"], ["volumeattachments"], ["get"]),
  ruleOf([""], ["serviceaccounts/token"], ["create"]),
  ruleOf([""], ["persistentvolumeclaims/status"], ["get", "patch", "update"]),
  ruleOf(["storage.k8s.io"], ["csidrivers"], READ),
  ruleOf(["storage.k8s.io"], ["csinodes"], ["create", "delete", "get", "patch", "update"]),
  ruleOf(["node.k8s.io"], ["runtimeclasses"], READ),
];
