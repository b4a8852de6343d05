import type { KubeObject } from "../../../api/types.ts";

// Building blocks shared by the add-on manifests: EKS's ECR image location, the node affinity EKS puts on
// its add-on workloads, and small object constructors that keep each manifest readable.

export interface AddonParams {
  clusterVersion: string;
  addonVersion: string;
  region: string;
  /** The cluster's service CIDR, e.g. 10.100.0.0/16 (kube-dns takes its 10th address). */
  serviceCidr: string;
  /** The cluster's API endpoint, written into kube-proxy's kubeconfig (in-cluster service name without). */
  endpoint?: string;
  /** Passed to agents that need it (eks-pod-identity-agent). */
  clusterName?: string;
  /** IRSA role for the add-on's controller service account (eks.amazonaws.com/role-arn). */
  serviceAccountRoleArn?: string;
}

/** The role annotation EKS puts on an add-on's service account when the add-on was given a role. */
export function roleAnnotation(p: AddonParams): Record<string, string> | undefined {
  return p.serviceAccountRoleArn ? { "eks.amazonaws.com/role-arn": p.serviceAccountRoleArn } : undefined;
}

// EKS serves its add-on images from a per-partition (and for some regions per-region) ECR account.
const ECR_ACCOUNTS: Record<string, string> = {
  "cn-north-1": "918309763551",
  "cn-northwest-1": "961992271922",
  "us-gov-east-1": "151742754352",
  "us-gov-west-1": "013241004608",
};

export function ecrImage(region: string, repository: string, tag: string): string {
  const account = ECR_ACCOUNTS[region] ?? "602401143452";
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `${account}.dkr.ecr.${region}.${domain}/${repository}:${tag}`;
}

export const NAMESPACE = "kube-system";

export function meta(
  name: string,
  labels: Record<string, string>,
  namespaced = true,
): KubeObject["metadata"] {
  return namespaced ? { name, namespace: NAMESPACE, labels: { ...labels } } : { name, labels: { ...labels } };
}

export function serviceAccount(
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  const metadata = meta(name, labels);
  if (annotations) metadata.annotations = { ...annotations };
  return { apiVersion: "v1", kind: "ServiceAccount", metadata };
}

export function configMap(
  name: string,
  labels: Record<string, string>,
  data: Record<string, string>,
): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(name, labels), data };
}

export interface Rule {
  apiGroups: string[];
  resources?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

export function clusterRole(name: string, labels: Record<string, string>, rules: Rule[]): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta(name, labels, false),
    rules,
  };
}

export function clusterRoleBinding(
  name: string,
  labels: Record<string, string>,
  role: string,
  serviceAccountName: string,
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: meta(name, labels, false),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: [{ kind: "ServiceAccount", name: serviceAccountName, namespace: NAMESPACE }],
  };
}

/** Linux on amd64/arm64, and (for node agents) not on Fargate, hybrid or Auto Mode nodes, as EKS writes it. */
export function eksNodeAffinity(excludeComputeTypes: string[] = []): Record<string, unknown> {
  const expressions: Record<string, unknown>[] = [
    { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
    { key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] },
  ];
  if (excludeComputeTypes.length > 0)
    expressions.push({
      key: "eks.amazonaws.com/compute-type",
      operator: "NotIn",
      values: excludeComputeTypes,
    });
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: expressions }],
      },
    },
  };
}

/** DaemonSets of EKS add-ons run on every node whatever its taints. */
export const TOLERATE_EVERYTHING = [{ operator: "Exists" }];

export function requests(cpu: string, memory?: string): Record<string, string> {
  return memory ? { cpu, memory } : { cpu };
}
