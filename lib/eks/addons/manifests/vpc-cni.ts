import type { KubeObject } from "../../../api/types.ts";
import {
  type AddonParams,
  clusterRole,
  clusterRoleBinding,
  configMap,
  ecrImage,
  eksNodeAffinity,
  meta,
  requests,
  roleAnnotation,
  serviceAccount,
  TOLERATE_EVERYTHING,
} from "./common.ts";

// The Amazon VPC CNI as EKS installs it (aws/amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml): the aws-node
// DaemonSet with its network policy agent, its RBAC and ConfigMap, and the two CRDs it reads.

function crd(plural: string, group: string, kind: string, scope: "Cluster" | "Namespaced"): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: "v1alpha1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          ...(kind === "PolicyEndpoint" ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
}

export function vpcCniObjects(p: AddonParams): KubeObject[] {
  const appVersion = p.addonVersion.replace(/-eksbuild\.\d+$/, "");
  const labels = {
    "app.kubernetes.io/name": "aws-node",
    "app.kubernetes.io/instance": "aws-vpc-cni",
    "k8s-app": "aws-node",
    "app.kubernetes.io/version": appVersion,
  };
  const podLabels = {
    "app.kubernetes.io/name": "aws-node",
    "app.kubernetes.io/instance": "aws-vpc-cni",
    "k8s-app": "aws-node",
  };
  const env = (name: string, value: string) => ({ name, value });
  const daemonSet: KubeObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta("aws-node", labels),
    spec: {
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      selector: { matchLabels: { "k8s-app": "aws-node" } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          priorityClassName: "system-node-critical",
          serviceAccountName: "aws-node",
          hostNetwork: true,
          terminationGracePeriodSeconds: 10,
          tolerations: TOLERATE_EVERYTHING,
          affinity: eksNodeAffinity(["fargate", "hybrid", "auto"]),
          initContainers: [
            {
              name: "aws-vpc-cni-init",
              image: ecrImage(p.region, "amazon-k8s-cni-init", p.addonVersion),
              env: [env("DISABLE_TCP_EARLY_DEMUX", "false"), env("ENABLE_IPv6", "false")],
              securityContext: { privileged: true },
              resources: { requests: requests("25m") },
              volumeMounts: [{ mountPath: "/host/opt/cni/bin", name: "cni-bin-dir" }],
            },
          ],
          containers: [
            {
              name: "aws-node",
              image: ecrImage(p.region, "amazon-k8s-cni", p.addonVersion),
              ports: [{ containerPort: 61678, name: "metrics" }],
              readinessProbe: {
                exec: { command: ["/app/grpc-health-probe", "-addr=:50051", "-connect-timeout=5s"] },
                initialDelaySeconds: 1,
                timeoutSeconds: 10,
              },
              env: [
                env("ADDITIONAL_ENI_TAGS", "{}"),
                env("AWS_VPC_CNI_NODE_PORT_SUPPORT", "true"),
                env("AWS_VPC_ENI_MTU", "9001"),
                env("AWS_VPC_K8S_CNI_EXTERNALSNAT", "false"),
                env("AWS_VPC_K8S_CNI_LOGLEVEL", "DEBUG"),
                env("CLUSTER_NAME_FROM_ENV", "false"),
                env("ENABLE_PREFIX_DELEGATION", "false"),
                env("WARM_ENI_TARGET", "1"),
                env("VPC_CNI_VERSION", appVersion),
                { name: "MY_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
              ],
              resources: { requests: requests("25m") },
              securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"] } },
              volumeMounts: [
                { mountPath: "/host/opt/cni/bin", name: "cni-bin-dir" },
                { mountPath: "/host/etc/cni/net.d", name: "cni-net-dir" },
                { mountPath: "/host/var/log/aws-routed-eni", name: "log-dir" },
              ],
            },
            {
              name: "aws-eks-nodeagent",
              image: ecrImage(p.region, "amazon/aws-network-policy-agent", "v1.2.1-eksbuild.1"),
              args: ["--enable-ipv6=false", "--enable-network-policy=false", "--metrics-bind-addr=:8162"],
              resources: { requests: requests("25m") },
              securityContext: { capabilities: { add: ["NET_ADMIN"] }, privileged: true },
            },
          ],
          volumes: [
            { name: "cni-bin-dir", hostPath: { path: "/opt/cni/bin" } },
            { name: "cni-net-dir", hostPath: { path: "/etc/cni/net.d" } },
            { name: "log-dir", hostPath: { path: "/var/log/aws-routed-eni", type: "DirectoryOrCreate" } },
          ],
        },
      },
    },
  };
  return [
    crd("eniconfigs", "crd.k8s.amazonaws.com", "ENIConfig", "Cluster"),
    crd("policyendpoints", "networking.k8s.aws", "PolicyEndpoint", "Namespaced"),
    serviceAccount("aws-node", labels, roleAnnotation(p)),
    configMap("amazon-vpc-cni", labels, {
      "enable-windows-ipam": "false",
      "enable-network-policy-controller": "false",
      "enable-windows-prefix-delegation": "false",
      "warm-prefix-target": "0",
      "warm-ip-target": "1",
      "minimum-ip-target": "3",
    }),
    clusterRole("aws-node", labels, [
      { apiGroups: ["crd.k8s.amazonaws.com"], resources: ["eniconfigs"], verbs: ["list", "watch", "get"] },
      { apiGroups: [""], resources: ["namespaces", "pods"], verbs: ["list", "watch", "get"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch", "get"] },
      { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "list"] },
      { apiGroups: ["networking.k8s.aws"], resources: ["policyendpoints"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["networking.k8s.aws"], resources: ["policyendpoints/status"], verbs: ["get"] },
      { apiGroups: ["vpcresources.k8s.aws"], resources: ["cninodes"], verbs: ["get", "list", "patch"] },
    ]),
    clusterRoleBinding("aws-node", labels, "aws-node", "aws-node"),
    daemonSet,
  ];
}
