import type { KubeObject } from "../../../api/types.ts";
import {
  type AddonParams,
  ecrImage,
  eksNodeAffinity,
  meta,
  requests,
  TOLERATE_EVERYTHING,
} from "./common.ts";

// The EKS Pod Identity Agent: a host-network DaemonSet listening on 169.254.170.23 (ports 80 and 2703)
// that exchanges pod tokens for credentials through eks-auth AssumeRoleForPodIdentity (eks-auth.md §8).

const LABELS = {
  "app.kubernetes.io/name": "eks-pod-identity-agent",
  "app.kubernetes.io/instance": "eks-pod-identity-agent",
};

export function podIdentityAgentObjects(p: AddonParams): KubeObject[] {
  const appVersion = p.addonVersion.replace(/-eksbuild\.\d+$/, "");
  const image = ecrImage(p.region, "eks/eks-pod-identity-agent", p.addonVersion);
  const daemonSet: KubeObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta("eks-pod-identity-agent", { ...LABELS, "app.kubernetes.io/version": appVersion }),
    spec: {
      selector: { matchLabels: LABELS },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: {
        metadata: { labels: LABELS },
        spec: {
          priorityClassName: "system-node-critical",
          hostNetwork: true,
          terminationGracePeriodSeconds: 30,
          tolerations: TOLERATE_EVERYTHING,
          affinity: eksNodeAffinity(["fargate", "hybrid", "auto"]),
          initContainers: [
            {
              name: "eks-pod-identity-agent-init",
              image,
              command: ["/go-runner", "/eks-pod-identity-agent", "initialize"],
              securityContext: { privileged: true },
            },
          ],
          containers: [
            {
              name: "eks-pod-identity-agent",
              image,
              command: ["/go-runner", "/eks-pod-identity-agent", "server"],
              args: ["--port", "80", "--cluster-name", p.clusterName ?? "", "--probe-port", "2703"],
              env: [{ name: "AWS_REGION", value: p.region }],
              ports: [
                { containerPort: 80, protocol: "TCP", name: "proxy" },
                { containerPort: 2703, protocol: "TCP", name: "probes-port" },
              ],
              readinessProbe: {
                httpGet: { host: "localhost", path: "/readyz", port: "probes-port" },
                initialDelaySeconds: 1,
                timeoutSeconds: 10,
              },
              resources: { requests: requests("25m", "32Mi") },
              securityContext: { capabilities: { add: ["CAP_NET_BIND_SERVICE"] } },
            },
          ],
        },
      },
    },
  };
  return [daemonSet];
}
