import type { KubeObject } from "../../../api/types.ts";
import {
  type AddonParams,
  clusterRole,
  clusterRoleBinding,
  configMap,
  ecrImage,
  eksNodeAffinity,
  meta,
  serviceAccount,
} from "./common.ts";
import { kubeDnsIp } from "./ip.ts";

// CoreDNS as EKS installs it: two replicas spread over nodes and zones, the kube-dns Service at the 10th
// address of the service CIDR, the Corefile, system:coredns RBAC and a PodDisruptionBudget of one.

const LABELS = {
  "eks.amazonaws.com/component": "coredns",
  "k8s-app": "kube-dns",
  "kubernetes.io/name": "CoreDNS",
};
const SELECTOR = { "eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns" };

const COREFILE = `.:53 {
    errors
    health {
        lameduck 5s
      }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;

export function corednsObjects(p: AddonParams): KubeObject[] {
  const affinity = {
    ...eksNodeAffinity(),
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] },
            topologyKey: "kubernetes.io/hostname",
          },
        },
      ],
    },
  };
  const deployment: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("coredns", LABELS),
    spec: {
      replicas: 2,
      revisionHistoryLimit: 10,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: SELECTOR },
      template: {
        metadata: { labels: SELECTOR },
        spec: {
          priorityClassName: "system-cluster-critical",
          serviceAccountName: "coredns",
          dnsPolicy: "Default",
          affinity,
          tolerations: [
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
            { key: "CriticalAddonsOnly", operator: "Exists" },
          ],
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          containers: [
            {
              name: "coredns",
              image: ecrImage(p.region, "eks/coredns", p.addonVersion),
              imagePullPolicy: "IfNotPresent",
              args: ["-conf", "/etc/coredns/Corefile"],
              resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
              ports: [
                { containerPort: 53, name: "dns", protocol: "UDP" },
                { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                { containerPort: 9153, name: "metrics", protocol: "TCP" },
              ],
              livenessProbe: {
                httpGet: { path: "/health", port: 8080, scheme: "HTTP" },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: "/ready", port: 8181, scheme: "HTTP" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                readOnlyRootFilesystem: true,
              },
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
            },
          ],
          volumes: [
            {
              name: "config-volume",
              configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] },
            },
          ],
        },
      },
    },
  };
  const service: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      ...meta("kube-dns", {
        "eks.amazonaws.com/component": "kube-dns",
        "k8s-app": "kube-dns",
        "kubernetes.io/cluster-service": "true",
        "kubernetes.io/name": "CoreDNS",
      }),
      annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
    },
    spec: {
      selector: { "k8s-app": "kube-dns" },
      clusterIP: kubeDnsIp(p.serviceCidr),
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
    },
  };
  const pdb: KubeObject = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta("coredns", LABELS),
    spec: { maxUnavailable: 1, selector: { matchLabels: SELECTOR } },
  };
  return [
    serviceAccount("coredns", { "eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns" }),
    clusterRole("system:coredns", { "eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns" }, [
      {
        apiGroups: [""],
        resources: ["endpoints", "services", "pods", "namespaces"],
        verbs: ["list", "watch"],
      },
      { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
    ]),
    clusterRoleBinding(
      "system:coredns",
      { "eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns" },
      "system:coredns",
      "coredns",
    ),
    configMap(
      "coredns",
      { "eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns" },
      { Corefile: COREFILE },
    ),
    deployment,
    service,
    pdb,
  ];
}
