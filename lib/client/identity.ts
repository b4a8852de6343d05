import type { UserInfo } from "../api/user.ts";

// The kube identity each control loop acts as. EKS runs kube-controller-manager with
// --use-service-account-credentials, so each controller is its own service account in kube-system; the
// scheduler is system:kube-scheduler. The simulated kubelets serve every node of a cluster from one loop, so
// they act as one node identity in system:nodes rather than one per node.

const SCHEDULERS = new Set(["default-scheduler"]);
const NODE_AGENTS = new Set(["kubelet", "kumulus-node-provider"]);

export function internalIdentity(manager: string): UserInfo {
  if (SCHEDULERS.has(manager)) return { username: "system:kube-scheduler", groups: ["system:authenticated"] };
  if (NODE_AGENTS.has(manager))
    return { username: `system:node:${manager}`, groups: ["system:nodes", "system:authenticated"] };
  return {
    username: `system:serviceaccount:kube-system:${manager}`,
    groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
  };
}
