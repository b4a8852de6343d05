import type { KubeObject } from "../../../api/types.ts";
import {
  type AddonParams,
  clusterRole,
  clusterRoleBinding,
  ecrImage,
  eksNodeAffinity,
  meta,
  NAMESPACE,
  requests,
  serviceAccount,
} from "./common.ts";

// metrics-server as the EKS add-on installs it, without its APIService: Kumulus answers metrics.k8s.io
// itself, and registering an aggregated API that no simulated pod can serve would break `kubectl top`.

const LABELS = { "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": "metrics-server" };

export function metricsServerObjects(p: AddonParams): KubeObject[] {
  const appVersion = p.addonVersion.replace(/-eksbuild\.\d+$/, "");
  const labels = { ...LABELS, "app.kubernetes.io/version": appVersion };
  const deployment: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("metrics-server", labels),
    spec: {
      replicas: 2,
      revisionHistoryLimit: 10,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          serviceAccountName: "metrics-server",
          priorityClassName: "system-cluster-critical",
          affinity: eksNodeAffinity(),
          containers: [
            {
              name: "metrics-server",
              image: ecrImage(p.region, "eks/metrics-server", p.addonVersion),
              args: [
                "--secure-port=10251",
                "--cert-dir=/tmp",
                "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                "--kubelet-use-node-status-port",
                "--metric-resolution=15s",
              ],
              ports: [{ name: "https", protocol: "TCP", containerPort: 10251 }],
              readinessProbe: {
                httpGet: { path: "/readyz", port: "https", scheme: "HTTPS" },
                initialDelaySeconds: 20,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              resources: { requests: requests("100m", "200Mi") },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 1000,
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
  };
  const service: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta("metrics-server", labels),
    spec: {
      type: "ClusterIP",
      selector: LABELS,
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: "https" }],
    },
  };
  const authReader: KubeObject = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta("metrics-server-auth-reader", labels),
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "extension-apiserver-authentication-reader",
    },
    subjects: [{ kind: "ServiceAccount", name: "metrics-server", namespace: NAMESPACE }],
  };
  return [
    serviceAccount("metrics-server", labels),
    clusterRole(
      "system:metrics-server-aggregated-reader",
      {
        ...labels,
        "rbac.authorization.k8s.io/aggregate-to-admin": "true",
        "rbac.authorization.k8s.io/aggregate-to-edit": "true",
        "rbac.authorization.k8s.io/aggregate-to-view": "true",
      },
      [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
    ),
    clusterRole("system:metrics-server", labels, [
      { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
      { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
    ]),
    clusterRoleBinding(
      "metrics-server:system:auth-delegator",
      labels,
      "system:auth-delegator",
      "metrics-server",
    ),
    clusterRoleBinding("system:metrics-server", labels, "system:metrics-server", "metrics-server"),
    authReader,
    service,
    deployment,
  ];
}
