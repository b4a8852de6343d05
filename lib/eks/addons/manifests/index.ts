import type { KubeObject } from "../../../api/types.ts";
import type { AddonName } from "../catalog.ts";
import { ebsCsiDriverObjects } from "./aws-ebs-csi-driver.ts";
import type { AddonParams } from "./common.ts";
import { corednsObjects } from "./coredns.ts";
import { podIdentityAgentObjects } from "./eks-pod-identity-agent.ts";
import { kubeProxyObjects } from "./kube-proxy.ts";
import { metricsServerObjects } from "./metrics-server.ts";
import { vpcCniObjects } from "./vpc-cni.ts";

export type { AddonParams } from "./common.ts";
export { kubeDnsIp } from "./ip.ts";

const BUILDERS: Record<AddonName, (p: AddonParams) => KubeObject[]> = {
  "vpc-cni": vpcCniObjects,
  "kube-proxy": kubeProxyObjects,
  coredns: corednsObjects,
  "metrics-server": metricsServerObjects,
  "eks-pod-identity-agent": podIdentityAgentObjects,
  "aws-ebs-csi-driver": ebsCsiDriverObjects,
};

/** The Kubernetes objects an add-on installs, in apply order (CRDs and RBAC before workloads). */
export function addonObjects(name: string, params: AddonParams): KubeObject[] {
  const build = BUILDERS[name as AddonName];
  if (!build) throw new Error(`unknown add-on ${name}`);
  return build(params);
}
