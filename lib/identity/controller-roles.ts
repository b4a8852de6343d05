import type { PolicyRule } from "./rbac-rules.ts";

// The system:controller:<name> ClusterRoles of the controllers Kumulus runs, each bound to the service
// account kube-system:<name> (kube-controller-manager's --use-service-account-credentials, as on EKS). The
// rules are kube 1.32's (bootstrappolicy/controller_policy.go) without the extensions group, which Kumulus
// does not serve. `kumulus` lists what a Kumulus loop needs beyond them, each with why. The recurring reason:
// kube's controllers read through the manager's shared informers, which list and watch as
// system:kube-controller-manager, while a Kumulus loop reads the objects it reconciles itself (GET, LIST).

const READ = ["get", "list", "watch"];
const ALL = ["get", "list", "watch", "create", "update", "patch", "delete"];

const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({
  apiGroups,
  resources,
  verbs,
});
const core = (resources: string[], verbs: string[]) => rule([""], resources, verbs);
const apps = (resources: string[], verbs: string[]) => rule(["apps"], resources, verbs);
const batch = (resources: string[], verbs: string[]) => rule(["batch"], resources, verbs);
/** kube's eventsRule(). */
const EVENTS = rule(["", "events.k8s.io"], ["events"], ["create", "update", "patch"]);

export interface ControllerRole {
  /** kube's rules. */
  kube: PolicyRule[];
  /** What the Kumulus loop needs beyond them. */
  kumulus?: PolicyRule[];
}

export const CONTROLLER_ROLES: Record<string, ControllerRole> = {
  "cronjob-controller": {
    kube: [
      batch(["cronjobs"], ["get", "list", "watch", "update"]),
      batch(["jobs"], ALL),
      batch(["cronjobs/status"], ["update"]),
      batch(["cronjobs/finalizers"], ["update"]),
      core(["pods"], ["list", "watch", "delete"]),
      EVENTS,
    ],
  },
  "daemon-set-controller": {
    kube: [
      apps(["daemonsets"], READ),
      apps(["daemonsets/status"], ["update"]),
      apps(["daemonsets/finalizers"], ["update"]),
      core(["nodes"], ["list", "watch"]),
      core(["pods"], ["list", "watch", "create", "delete", "patch"]),
      core(["pods/binding"], ["create"]),
      apps(["controllerrevisions"], ALL),
      EVENTS,
    ],
  },
  "deployment-controller": {
    kube: [
      apps(["deployments"], ["get", "list", "watch", "update"]),
      apps(["deployments/status"], ["update"]),
      apps(["deployments/finalizers"], ["update"]),
      apps(["replicasets"], ALL),
      core(["pods"], ["get", "list", "watch", "update"]),
      EVENTS,
    ],
    // The loop sets the deployment.kubernetes.io/revision annotation with a merge patch (kube updates).
    kumulus: [apps(["deployments"], ["patch"])],
  },
  "disruption-controller": {
    kube: [
      apps(["deployments"], READ),
      apps(["replicasets"], READ),
      core(["replicationcontrollers"], READ),
      rule(["policy"], ["poddisruptionbudgets"], READ),
      apps(["statefulsets"], READ),
      rule(["policy"], ["poddisruptionbudgets/status"], ["update"]),
      core(["pods/status"], ["patch", "update"]),
      rule(["*"], ["*/scale"], ["get"]),
      EVENTS,
    ],
    // A budget counts its namespace's pods, listed by the loop (kube's from the shared pod informer).
    kumulus: [core(["pods"], ["list"])],
  },
  "endpoint-controller": {
    kube: [
      core(["services", "pods"], READ),
      core(["endpoints"], ["get", "list", "watch", "create", "update", "delete"]),
      core(["endpoints/restricted"], ["create"]),
      EVENTS,
    ],
  },
  "endpointslice-controller": {
    kube: [
      core(["services", "pods", "nodes"], READ),
      core(["services/finalizers"], ["update"]),
      rule(["discovery.k8s.io"], ["endpointslices"], ["get", "list", "watch", "create", "update", "delete"]),
      EVENTS,
    ],
  },
  "generic-garbage-collector": {
    kube: [rule(["*"], ["*"], ["get", "list", "watch", "patch", "update", "delete"]), EVENTS],
  },
  "horizontal-pod-autoscaler": {
    kube: [
      rule(["autoscaling"], ["horizontalpodautoscalers"], READ),
      rule(["autoscaling"], ["horizontalpodautoscalers/status"], ["update"]),
      rule(["*"], ["*/scale"], ["get", "update"]),
      core(["pods"], ["list", "watch"]),
      rule(["metrics.k8s.io"], ["pods"], ["list", "watch"]),
      rule(["custom.metrics.k8s.io"], ["*"], READ),
      rule(["external.metrics.k8s.io"], ["*"], READ),
      EVENTS,
    ],
  },
  "job-controller": {
    kube: [
      batch(["jobs"], ["get", "list", "watch", "update", "patch"]),
      batch(["jobs/status"], ["update"]),
      batch(["jobs/finalizers"], ["update"]),
      core(["pods"], ["list", "watch", "create", "delete", "patch"]),
      EVENTS,
    ],
  },
  "namespace-controller": {
    kube: [
      core(["namespaces"], ["get", "list", "watch", "delete"]),
      core(["namespaces/finalize", "namespaces/status"], ["update"]),
      rule(["*"], ["*"], ["get", "list", "watch", "delete", "deletecollection"]),
    ],
  },
  "node-controller": {
    kube: [
      core(["nodes"], ["get", "list", "watch", "update", "delete", "patch"]),
      core(["nodes/status"], ["patch", "update"]),
      core(["pods/status"], ["patch", "update"]),
      core(["pods"], ["list", "watch", "get", "delete"]),
      EVENTS,
    ],
    // Node health is judged from the node's Lease, which the loop reads (kube's from the lease informer).
    kumulus: [rule(["coordination.k8s.io"], ["leases"], ["get"])],
  },
  "persistent-volume-binder": {
    kube: [
      core(["persistentvolumes"], ["get", "list", "watch", "update", "create", "delete"]),
      core(["persistentvolumes/status"], ["update"]),
      core(["persistentvolumeclaims"], ["get", "list", "watch", "update"]),
      core(["persistentvolumeclaims/status"], ["update"]),
      core(["pods"], ["list", "watch", "get", "create", "delete"]),
      rule(["storage.k8s.io"], ["storageclasses"], READ),
      core(["nodes"], ["list", "watch"]),
      EVENTS,
      core(["events"], ["watch"]),
      core(["services"], ["get"]),
    ],
    kumulus: [
      // The loop also plays the EBS CSI provisioner (external-provisioner), which annotates the claim it
      // provisions for with a patch and reads the selected node to place the volume in its zone.
      core(["persistentvolumeclaims"], ["patch"]),
      core(["nodes"], ["get"]),
    ],
  },
  "pod-garbage-collector": {
    kube: [
      core(["pods"], ["list", "watch", "delete"]),
      core(["nodes"], READ),
      core(["pods/status"], ["patch"]),
    ],
  },
  "pv-protection-controller": {
    kube: [core(["persistentvolumes"], ["get", "list", "watch", "update"]), EVENTS],
  },
  "pvc-protection-controller": {
    kube: [
      core(["persistentvolumeclaims"], ["get", "list", "watch", "update"]),
      core(["pods"], ["list", "watch", "get"]),
      EVENTS,
    ],
  },
  "replicaset-controller": {
    kube: [
      apps(["replicasets"], ["get", "list", "watch", "update"]),
      apps(["replicasets/status"], ["update"]),
      apps(["replicasets/finalizers"], ["update"]),
      core(["pods"], ["list", "watch", "patch", "create", "delete"]),
      EVENTS,
    ],
  },
  "resourcequota-controller": {
    kube: [rule(["*"], ["*"], ["list", "watch"]), core(["resourcequotas/status"], ["update"]), EVENTS],
  },
  "service-account-controller": {
    kube: [core(["serviceaccounts"], ["create"]), EVENTS],
    // The loop looks at the namespace and its `default` account before creating it (kube: informers).
    kumulus: [core(["namespaces", "serviceaccounts"], ["get"])],
  },
  "service-controller": {
    kube: [
      core(["services"], READ),
      core(["services/status"], ["patch", "update"]),
      core(["nodes"], ["list", "watch"]),
      EVENTS,
    ],
  },
  "statefulset-controller": {
    kube: [
      core(["pods"], ["list", "watch"]),
      apps(["statefulsets"], READ),
      apps(["statefulsets/status"], ["update"]),
      apps(["statefulsets/finalizers"], ["update"]),
      core(["pods"], ["get", "create", "delete", "update", "patch"]),
      apps(["controllerrevisions"], ALL),
      core(["persistentvolumeclaims"], ["get", "create", "list", "watch"]),
      core(["persistentvolumeclaims"], ["update", "delete"]),
      core(["pods/finalizers"], ["update"]),
      EVENTS,
    ],
  },
  "ttl-after-finished-controller": {
    kube: [batch(["jobs"], ["get", "list", "watch", "delete"]), EVENTS],
  },
};

/** The rules of system:controller:<name>: kube's, then Kumulus' additions. */
export function controllerRules(name: string): PolicyRule[] {
  const role = CONTROLLER_ROLES[name];
  return role ? [...role.kube, ...(role.kumulus ?? [])] : [];
}

/**
 * kube's system:volume-scheduler, bound to system:kube-scheduler beside system:kube-scheduler: the volume
 * binding plugin reads claims, volumes and classes (and may bind them).
 */
export const VOLUME_SCHEDULER_RULES: PolicyRule[] = [
  core(["persistentvolumes"], ["get", "list", "patch", "update", "watch"]),
  rule(["storage.k8s.io"], ["storageclasses"], READ),
  core(["persistentvolumeclaims"], ["get", "list", "patch", "update", "watch"]),
];
