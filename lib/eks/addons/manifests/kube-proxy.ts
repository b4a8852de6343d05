import type { KubeObject } from "../../../api/types.ts";
import {
  type AddonParams,
  clusterRoleBinding,
  configMap,
  ecrImage,
  eksNodeAffinity,
  meta,
  requests,
  serviceAccount,
  TOLERATE_EVERYTHING,
} from "./common.ts";

// kube-proxy as EKS installs it: the DaemonSet with the `-minimal` image build, its kubeconfig and
// KubeProxyConfiguration ConfigMaps, and the eks:kube-proxy binding to system:node-proxier.

const LABELS = { "eks.amazonaws.com/component": "kube-proxy", "k8s-app": "kube-proxy" };

/** v1.32.0-eksbuild.2 → v1.32.0-minimal-eksbuild.2, the image EKS runs for that add-on version. */
export function kubeProxyImageTag(addonVersion: string): string {
  return addonVersion.replace(/-eksbuild\./, "-minimal-eksbuild.");
}

function kubeconfig(server: string): string {
  return [
    "kind: Config",
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    "    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
    `    server: ${server}`,
    "  name: default",
    "contexts:",
    "- context:",
    "    cluster: default",
    "    namespace: default",
    "    user: default",
    "  name: default",
    "current-context: default",
    "users:",
    "- name: default",
    "  user:",
    "    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token",
  ].join("\n");
}

const PROXY_CONFIG = [
  "apiVersion: kubeproxy.config.k8s.io/v1alpha1",
  "bindAddress: 0.0.0.0",
  "clientConnection:",
  '  acceptContentTypes: ""',
  "  burst: 10",
  "  contentType: application/vnd.kubernetes.protobuf",
  "  kubeconfig: /var/lib/kube-proxy/kubeconfig",
  "  qps: 5",
  'clusterCIDR: ""',
  "configSyncPeriod: 15m0s",
  "conntrack:",
  "  maxPerCore: 32768",
  "  min: 131072",
  "  tcpCloseWaitTimeout: 1h0m0s",
  "  tcpEstablishedTimeout: 24h0m0s",
  "enableProfiling: false",
  "healthzBindAddress: 0.0.0.0:10256",
  'hostnameOverride: ""',
  "iptables:",
  "  masqueradeAll: false",
  "  masqueradeBit: 14",
  "  minSyncPeriod: 0s",
  "  syncPeriod: 30s",
  "kind: KubeProxyConfiguration",
  "metricsBindAddress: 0.0.0.0:10249",
  'mode: "iptables"',
  "nodePortAddresses: null",
  "oomScoreAdj: -998",
  'portRange: ""',
  "udpIdleTimeout: 250ms",
].join("\n");

export function kubeProxyObjects(p: AddonParams): KubeObject[] {
  const daemonSet: KubeObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta("kube-proxy", LABELS),
    spec: {
      selector: { matchLabels: { "k8s-app": "kube-proxy" } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: {
        metadata: { labels: { "k8s-app": "kube-proxy" } },
        spec: {
          priorityClassName: "system-node-critical",
          serviceAccountName: "kube-proxy",
          hostNetwork: true,
          tolerations: TOLERATE_EVERYTHING,
          affinity: eksNodeAffinity(["fargate", "auto"]),
          containers: [
            {
              name: "kube-proxy",
              image: ecrImage(p.region, "eks/kube-proxy", kubeProxyImageTag(p.addonVersion)),
              command: [
                "kube-proxy",
                "--v=2",
                "--config=/var/lib/kube-proxy-config/config",
                "--hostname-override=$(NODE_NAME)",
              ],
              env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
              resources: { requests: requests("100m") },
              securityContext: { privileged: true },
              volumeMounts: [
                { mountPath: "/var/log", name: "varlog" },
                { mountPath: "/run/xtables.lock", name: "xtables-lock" },
                { mountPath: "/lib/modules", name: "lib-modules", readOnly: true },
                { mountPath: "/var/lib/kube-proxy/", name: "kubeconfig" },
                { mountPath: "/var/lib/kube-proxy-config/", name: "config" },
              ],
            },
          ],
          volumes: [
            { name: "varlog", hostPath: { path: "/var/log" } },
            { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
            { name: "lib-modules", hostPath: { path: "/lib/modules" } },
            { name: "kubeconfig", configMap: { name: "kube-proxy" } },
            { name: "config", configMap: { name: "kube-proxy-config" } },
          ],
        },
      },
    },
  };
  return [
    serviceAccount("kube-proxy", LABELS),
    configMap("kube-proxy", LABELS, {
      kubeconfig: kubeconfig(p.endpoint ?? "https://kubernetes.default.svc"),
    }),
    configMap("kube-proxy-config", LABELS, { config: PROXY_CONFIG }),
    clusterRoleBinding("eks:kube-proxy", LABELS, "system:node-proxier", "kube-proxy"),
    daemonSet,
  ];
}
