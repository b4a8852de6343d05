import { z } from "zod";
import type { KindInfo } from "../types.ts";
import { col } from "./columns.ts";
import { defineKind } from "./define.ts";
import { loose } from "./pod.ts";

// Built-in kinds kube 1.32 serves that nothing in Kumulus acts on yet: stored, listed and watched, so that
// discovery, `kubectl api-resources` and the tools that read or write them (cert-manager's CSRs, API priority
// and fairness settings, CSI capacity) behave as on EKS. ReplicationControllers are stored without a
// controller: new workloads use ReplicaSets and Deployments, which run.

export const storedOnlyKinds: KindInfo[] = [
  defineKind({
    group: "",
    version: "v1",
    kind: "ReplicationController",
    plural: "replicationcontrollers",
    namespaced: true,
    shortNames: ["rc"],
    categories: ["all"],
    status: true,
    description:
      "ReplicationController represents the configuration of a replication controller. Stored only: Kumulus runs no replication controller; use a Deployment.",
    fields: { spec: loose.optional(), status: loose.optional() },
    columns: [
      col("Desired", (o) => o.spec?.replicas ?? 1, { type: "integer" }),
      col("Current", (o) => o.status?.replicas ?? 0, { type: "integer" }),
      col("Ready", (o) => o.status?.readyReplicas ?? 0, { type: "integer" }),
    ],
  }),
  defineKind({
    group: "certificates.k8s.io",
    version: "v1",
    kind: "CertificateSigningRequest",
    plural: "certificatesigningrequests",
    namespaced: false,
    shortNames: ["csr"],
    status: true,
    description:
      "CertificateSigningRequest objects provide a mechanism to obtain x509 certificates by submitting a certificate signing request. Stored only: no signer issues certificates.",
    fields: { spec: loose.optional(), status: loose.optional() },
    columns: [
      col("SignerName", (o) => o.spec?.signerName ?? ""),
      col("Requestor", (o) => o.spec?.username ?? ""),
      col("Condition", (o) => (o.status?.conditions ?? []).map((c: any) => c.type).join(",") || "Pending"),
    ],
  }),
  ...(["FlowSchema", "PriorityLevelConfiguration"] as const).map((kind) =>
    defineKind({
      group: "flowcontrol.apiserver.k8s.io",
      version: "v1",
      kind,
      plural: `${kind.toLowerCase()}s`,
      namespaced: false,
      status: true,
      description: `${kind} is part of API priority and fairness. Stored only: Kumulus limits requests in flight per process and per client instead.`,
      fields: { spec: loose.optional(), status: loose.optional() },
    }),
  ),
  defineKind({
    group: "storage.k8s.io",
    version: "v1",
    kind: "CSIStorageCapacity",
    plural: "csistoragecapacities",
    namespaced: true,
    description:
      "CSIStorageCapacity stores the result of one CSI GetCapacity call. Stored only: simulated volumes have no capacity limit.",
    fields: {
      storageClassName: z
        .string()
        .describe("The name of the StorageClass that the reported capacity applies to."),
      nodeTopology: loose.optional(),
      capacity: z.string().optional(),
      maximumVolumeSize: z.string().optional(),
    },
  }),
];
