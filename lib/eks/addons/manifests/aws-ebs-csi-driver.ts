import type { KubeObject } from "../../../api/types.ts";
import {
  type AddonParams,
  clusterRole,
  clusterRoleBinding,
  ecrImage,
  meta,
  type Rule,
  requests,
  roleAnnotation,
  serviceAccount,
  TOLERATE_EVERYTHING,
} from "./common.ts";

// The Amazon EBS CSI driver as the EKS add-on installs it: the ebs-csi-controller Deployment (two replicas
// with the external provisioner, attacher, snapshotter and resizer sidecars), the ebs-csi-node DaemonSet,
// the ebs.csi.aws.com CSIDriver, their service accounts and RBAC, and the controller's disruption budget.
// Sidecar tags are our estimate of the EKS-built images that go with a late-2026 driver.

const BASE = { "app.kubernetes.io/name": "aws-ebs-csi-driver", "app.kubernetes.io/managed-by": "EKS" };
const CONTROLLER = { app: "ebs-csi-controller", "app.kubernetes.io/name": "aws-ebs-csi-driver" };
const NODE = { app: "ebs-csi-node", "app.kubernetes.io/name": "aws-ebs-csi-driver" };

const SIDECARS: Record<string, string> = {
  "csi-provisioner": "v5.3.0-eks-1-34-4",
  "csi-attacher": "v4.9.0-eks-1-34-4",
  "csi-snapshotter": "v8.3.0-eks-1-34-4",
  "csi-resizer": "v1.14.0-eks-1-34-4",
  livenessprobe: "v2.16.0-eks-1-34-4",
  "csi-node-driver-registrar": "v2.14.0-eks-1-34-4",
};

const SMALL = { requests: requests("10m", "40Mi"), limits: { memory: "256Mi" } };
const SOCKET = { name: "socket-dir", mountPath: "/var/lib/csi/sockets/pluginproxy/" };

function sidecar(p: AddonParams, name: string, repo: string, args: string[]): Record<string, unknown> {
  return {
    name,
    image: ecrImage(p.region, `eks/${repo}`, SIDECARS[repo]),
    args: [...args, "--csi-address=$(ADDRESS)", "--v=2"],
    env: [{ name: "ADDRESS", value: "/var/lib/csi/sockets/pluginproxy/csi.sock" }],
    resources: SMALL,
    volumeMounts: [SOCKET],
  };
}

const rules = {
  provisioner: [
    {
      apiGroups: [""],
      resources: ["persistentvolumes"],
      verbs: ["get", "list", "watch", "create", "patch", "delete"],
    },
    { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list", "watch", "update"] },
    {
      apiGroups: ["storage.k8s.io"],
      resources: ["storageclasses", "csinodes"],
      verbs: ["get", "list", "watch"],
    },
    { apiGroups: [""], resources: ["events"], verbs: ["list", "watch", "create", "update", "patch"] },
    { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["get", "list", "watch"] },
    {
      apiGroups: ["coordination.k8s.io"],
      resources: ["leases"],
      verbs: ["get", "watch", "list", "delete", "update", "create"],
    },
  ],
  attacher: [
    { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "watch", "update", "patch"] },
    { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["storage.k8s.io"], resources: ["csinodes"], verbs: ["get", "list", "watch"] },
    {
      apiGroups: ["storage.k8s.io"],
      resources: ["volumeattachments"],
      verbs: ["get", "list", "watch", "update", "patch"],
    },
    { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments/status"], verbs: ["patch"] },
  ],
  resizer: [
    { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "watch", "patch"] },
    { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list", "watch"] },
    { apiGroups: [""], resources: ["persistentvolumeclaims/status"], verbs: ["patch"] },
    { apiGroups: [""], resources: ["events"], verbs: ["list", "watch", "create", "update", "patch"] },
  ],
  snapshotter: [
    { apiGroups: [""], resources: ["events"], verbs: ["list", "watch", "create", "update", "patch"] },
    {
      apiGroups: ["snapshot.storage.k8s.io"],
      resources: ["volumesnapshotclasses"],
      verbs: ["get", "list", "watch"],
    },
    {
      apiGroups: ["snapshot.storage.k8s.io"],
      resources: ["volumesnapshotcontents"],
      verbs: ["create", "get", "list", "watch", "update", "delete", "patch"],
    },
    {
      apiGroups: ["snapshot.storage.k8s.io"],
      resources: ["volumesnapshotcontents/status"],
      verbs: ["update", "patch"],
    },
  ],
  node: [
    { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
    { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["storage.k8s.io"], resources: ["csinodes"], verbs: ["get"] },
  ],
} satisfies Record<string, Rule[]>;

export function ebsCsiDriverObjects(p: AddonParams): KubeObject[] {
  const driverImage = ecrImage(p.region, "eks/aws-ebs-csi-driver", p.addonVersion);
  const controller: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("ebs-csi-controller", BASE),
    spec: {
      replicas: 2,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: CONTROLLER },
      template: {
        metadata: { labels: { ...CONTROLLER, "app.kubernetes.io/component": "csi-driver" } },
        spec: {
          nodeSelector: { "kubernetes.io/os": "linux" },
          serviceAccountName: "ebs-csi-controller-sa",
          priorityClassName: "system-cluster-critical",
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 1,
                  preference: {
                    matchExpressions: [
                      { key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["fargate"] },
                    ],
                  },
                },
              ],
            },
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: {
                      matchExpressions: [{ key: "app", operator: "In", values: ["ebs-csi-controller"] }],
                    },
                    topologyKey: "kubernetes.io/hostname",
                  },
                },
              ],
            },
          },
          tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { effect: "NoExecute", operator: "Exists", tolerationSeconds: 300 },
          ],
          containers: [
            {
              name: "ebs-plugin",
              image: driverImage,
              args: [
                "controller",
                "--endpoint=$(CSI_ENDPOINT)",
                "--batching=true",
                "--logging-format=text",
                "--v=2",
              ],
              env: [
                { name: "CSI_ENDPOINT", value: "unix:///var/lib/csi/sockets/pluginproxy/csi.sock" },
                { name: "AWS_REGION", value: p.region },
              ],
              ports: [{ name: "healthz", containerPort: 9808, protocol: "TCP" }],
              readinessProbe: {
                httpGet: { path: "/healthz", port: "healthz" },
                initialDelaySeconds: 10,
                periodSeconds: 10,
              },
              resources: SMALL,
              volumeMounts: [SOCKET],
            },
            sidecar(p, "csi-provisioner", "csi-provisioner", [
              "--timeout=60s",
              "--extra-create-metadata",
              "--leader-election=true",
              "--default-fstype=ext4",
            ]),
            sidecar(p, "csi-attacher", "csi-attacher", ["--timeout=6m", "--leader-election=true"]),
            sidecar(p, "csi-snapshotter", "csi-snapshotter", [
              "--leader-election=true",
              "--extra-create-metadata",
            ]),
            sidecar(p, "csi-resizer", "csi-resizer", ["--timeout=60s", "--handle-volume-inuse-error=false"]),
            sidecar(p, "liveness-probe", "livenessprobe", []),
          ],
          volumes: [{ name: "socket-dir", emptyDir: {} }],
        },
      },
    },
  };
  const node: KubeObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta("ebs-csi-node", BASE),
    spec: {
      selector: { matchLabels: NODE },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: {
        metadata: { labels: { ...NODE, "app.kubernetes.io/component": "csi-driver" } },
        spec: {
          nodeSelector: { "kubernetes.io/os": "linux" },
          serviceAccountName: "ebs-csi-node-sa",
          priorityClassName: "system-node-critical",
          tolerations: TOLERATE_EVERYTHING,
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      {
                        key: "eks.amazonaws.com/compute-type",
                        operator: "NotIn",
                        values: ["fargate", "hybrid", "auto"],
                      },
                    ],
                  },
                ],
              },
            },
          },
          containers: [
            {
              name: "ebs-plugin",
              image: driverImage,
              args: ["node", "--endpoint=$(CSI_ENDPOINT)", "--logging-format=text", "--v=2"],
              env: [
                { name: "CSI_ENDPOINT", value: "unix:/csi/csi.sock" },
                { name: "CSI_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
              ],
              ports: [{ name: "healthz", containerPort: 9808, protocol: "TCP" }],
              securityContext: { privileged: true },
              resources: SMALL,
              volumeMounts: [
                { name: "kubelet-dir", mountPath: "/var/lib/kubelet", mountPropagation: "Bidirectional" },
                { name: "plugin-dir", mountPath: "/csi" },
                { name: "device-dir", mountPath: "/dev" },
              ],
            },
            {
              name: "node-driver-registrar",
              image: ecrImage(
                p.region,
                "eks/csi-node-driver-registrar",
                SIDECARS["csi-node-driver-registrar"],
              ),
              args: [
                "--csi-address=$(ADDRESS)",
                "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)",
                "--v=2",
              ],
              env: [
                { name: "ADDRESS", value: "/csi/csi.sock" },
                { name: "DRIVER_REG_SOCK_PATH", value: "/var/lib/kubelet/plugins/ebs.csi.aws.com/csi.sock" },
              ],
              resources: SMALL,
              volumeMounts: [
                { name: "plugin-dir", mountPath: "/csi" },
                { name: "registration-dir", mountPath: "/registration" },
              ],
            },
            {
              name: "liveness-probe",
              image: ecrImage(p.region, "eks/livenessprobe", SIDECARS.livenessprobe),
              args: ["--csi-address=/csi/csi.sock"],
              resources: SMALL,
              volumeMounts: [{ name: "plugin-dir", mountPath: "/csi" }],
            },
          ],
          volumes: [
            { name: "kubelet-dir", hostPath: { path: "/var/lib/kubelet", type: "Directory" } },
            {
              name: "plugin-dir",
              hostPath: { path: "/var/lib/kubelet/plugins/ebs.csi.aws.com/", type: "DirectoryOrCreate" },
            },
            {
              name: "registration-dir",
              hostPath: { path: "/var/lib/kubelet/plugins_registry/", type: "Directory" },
            },
            { name: "device-dir", hostPath: { path: "/dev", type: "Directory" } },
          ],
        },
      },
    },
  };
  const csiDriver: KubeObject = {
    apiVersion: "storage.k8s.io/v1",
    kind: "CSIDriver",
    metadata: { name: "ebs.csi.aws.com", labels: { ...BASE } },
    spec: { attachRequired: true, podInfoOnMount: false, fsGroupPolicy: "File" },
  };
  const pdb: KubeObject = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta("ebs-csi-controller", BASE),
    spec: { maxUnavailable: 1, selector: { matchLabels: CONTROLLER } },
  };
  const bound = (role: string, sa: string, r: Rule[]) => [
    clusterRole(role, BASE, r),
    clusterRoleBinding(role.replace(/-role$/, "-binding"), BASE, role, sa),
  ];
  return [
    serviceAccount("ebs-csi-controller-sa", BASE, roleAnnotation(p)),
    serviceAccount("ebs-csi-node-sa", BASE),
    ...bound("ebs-external-provisioner-role", "ebs-csi-controller-sa", rules.provisioner),
    ...bound("ebs-external-attacher-role", "ebs-csi-controller-sa", rules.attacher),
    ...bound("ebs-external-resizer-role", "ebs-csi-controller-sa", rules.resizer),
    ...bound("ebs-external-snapshotter-role", "ebs-csi-controller-sa", rules.snapshotter),
    ...bound("ebs-csi-node-role", "ebs-csi-node-sa", rules.node),
    csiDriver,
    controller,
    node,
    pdb,
  ];
}
