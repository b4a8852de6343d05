import type { UserInfo } from "../api/user.ts";

// The kube identity each control loop acts as; RBAC and the Node authorizer decide what it may do, as for
// anyone else (lib/identity/controller-roles.ts, lib/identity/node-authorizer.ts).
// - A controller is the service account kube-system:<manager>, as EKS runs kube-controller-manager with
//   --use-service-account-credentials; its rights are kube's system:controller:<manager> ClusterRole. So
//   a manager name is kube's controller name (replicaset-controller, generic-garbage-collector, ...).
// - kube-controller-manager itself (no loop acts as it today) is system:kube-controller-manager.
// - The scheduler is system:kube-scheduler (ClusterRoles system:kube-scheduler and system:volume-scheduler).
// - A kubelet is system:node:<node> in system:nodes, one per node although one loop serves every node of a
//   cluster: `nodeIdentity`, through `nodeClientFor`. A simulated node also registers its Node object as
//   itself, as a kubelet does on EKS.
// - EKS applies add-ons as eks:addon-manager, which EKS makes a cluster admin (eks:addon-cluster-admin).
// A manager with no role of its own gets nothing: its requests fail with 403 (and the client logs them).

const USERS: Record<string, string> = {
  "default-scheduler": "system:kube-scheduler",
  "kube-controller-manager": "system:kube-controller-manager",
  eks: "eks:addon-manager",
};

export function internalIdentity(manager: string): UserInfo {
  if (manager === "kubelet")
    throw new Error("a kubelet acts as the node it serves: use nodeClientFor(cluster, node)");
  const user = USERS[manager];
  if (user) return { username: user, groups: ["system:authenticated"] };
  return {
    username: `system:serviceaccount:kube-system:${manager}`,
    groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
  };
}

/** The kubelet of `node`: what the Node authorizer recognises. */
export function nodeIdentity(node: string): UserInfo {
  if (!node) throw new Error("a node identity needs the node's name");
  return { username: `system:node:${node}`, groups: ["system:nodes", "system:authenticated"] };
}
