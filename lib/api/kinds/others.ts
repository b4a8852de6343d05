import { z } from "zod";
import type { KindInfo } from "../types.ts";
import { ageColumn, col, count, selectorString } from "./columns.ts";
import { defineKind } from "./define.ts";
import { required } from "./meta.ts";
import { loose } from "./pod.ts";

// The remaining built-in groups. Their bodies are modelled at the top level (so unknown top-level fields are
// caught) and kept loose below, except for the fields users hit first.

const policyRule = z.looseObject({
  verbs: z.array(z.string()),
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
});
const roleRef = z.object({ apiGroup: z.string(), kind: z.string(), name: z.string() });
const subject = z.looseObject({ kind: z.string(), name: z.string() });
const rbac = { group: "rbac.authorization.k8s.io", version: "v1" } as const;

export const otherKinds: KindInfo[] = [
  defineKind({
    ...rbac,
    kind: "Role",
    plural: "roles",
    namespaced: true,
    nameRule: "path",
    description: "Role is a namespaced, logical grouping of PolicyRules.",
    fields: { rules: z.array(policyRule).optional() },
    columns: [col("Created At", (o) => o.metadata.creationTimestamp)],
  }),
  defineKind({
    ...rbac,
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
    nameRule: "path",
    description: "ClusterRole is a cluster level, logical grouping of PolicyRules.",
    fields: { rules: z.array(policyRule).optional(), aggregationRule: loose.optional() },
    columns: [col("Created At", (o) => o.metadata.creationTimestamp)],
  }),
  defineKind({
    ...rbac,
    kind: "RoleBinding",
    plural: "rolebindings",
    namespaced: true,
    nameRule: "path",
    description: "RoleBinding references a role, but does not contain it.",
    fields: { roleRef, subjects: z.array(subject).optional() },
    columns: [
      col("Role", (o) => `${o.roleRef?.kind}/${o.roleRef?.name}`),
      ageColumn,
      col(
        "Users",
        (o) =>
          (o.subjects ?? [])
            .filter((s: any) => s.kind === "User")
            .map((s: any) => s.name)
            .join(", "),
        { priority: 1 },
      ),
      col(
        "Groups",
        (o) =>
          (o.subjects ?? [])
            .filter((s: any) => s.kind === "Group")
            .map((s: any) => s.name)
            .join(", "),
        { priority: 1 },
      ),
      col(
        "ServiceAccounts",
        (o) =>
          (o.subjects ?? [])
            .filter((s: any) => s.kind === "ServiceAccount")
            .map((s: any) => `${s.namespace}/${s.name}`)
            .join(", "),
        { priority: 1 },
      ),
    ],
  }),
  defineKind({
    ...rbac,
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
    nameRule: "path",
    description: "ClusterRoleBinding references a ClusterRole, but does not contain it.",
    fields: { roleRef, subjects: z.array(subject).optional() },
    columns: [col("Role", (o) => `${o.roleRef?.kind}/${o.roleRef?.name}`), ageColumn],
  }),
  defineKind({
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    plural: "leases",
    namespaced: true,
    description: "Lease defines a lease concept.",
    fields: {
      spec: z
        .object({
          holderIdentity: z.string().optional(),
          leaseDurationSeconds: z.number().int().optional(),
          acquireTime: z.string().optional(),
          renewTime: z.string().optional(),
          leaseTransitions: z.number().int().optional(),
          strategy: z.string().optional(),
          preferredHolder: z.string().optional(),
        })
        .optional(),
    },
    columns: [col("Holder", (o) => o.spec?.holderIdentity ?? "")],
  }),
  defineKind({
    group: "discovery.k8s.io",
    version: "v1",
    kind: "EndpointSlice",
    plural: "endpointslices",
    namespaced: true,
    description: "EndpointSlice represents a subset of the endpoints that implement a service.",
    fields: {
      addressType: z.enum(["IPv4", "IPv6", "FQDN"]),
      endpoints: z.array(loose),
      ports: z.array(loose).optional(),
    },
    columns: [
      col("AddressType", (o) => o.addressType),
      col("Ports", (o) => (o.ports ?? []).map((p: any) => p.port).join(",") || "<unset>"),
      col(
        "Endpoints",
        (o) =>
          (o.endpoints ?? [])
            .flatMap((e: any) => e.addresses ?? [])
            .slice(0, 3)
            .join(",") || "<unset>",
      ),
    ],
  }),
  defineKind({
    group: "networking.k8s.io",
    version: "v1",
    kind: "Ingress",
    plural: "ingresses",
    namespaced: true,
    shortNames: ["ing"],
    status: true,
    description:
      "Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.",
    fields: {
      spec: z
        .looseObject({
          ingressClassName: z.string().optional(),
          rules: z.array(loose).optional(),
          tls: z.array(loose).optional(),
          defaultBackend: loose.optional(),
        })
        .optional(),
      status: loose.optional(),
    },
    columns: [
      col("Class", (o) => o.spec?.ingressClassName ?? "<none>"),
      col("Hosts", (o) => (o.spec?.rules ?? []).map((r: any) => r.host ?? "*").join(",") || "*"),
      col("Address", (o) =>
        (o.status?.loadBalancer?.ingress ?? []).map((i: any) => i.hostname ?? i.ip).join(","),
      ),
      col("Ports", (o) => (o.spec?.tls?.length ? "80, 443" : "80")),
    ],
  }),
  defineKind({
    group: "networking.k8s.io",
    version: "v1",
    kind: "IngressClass",
    plural: "ingressclasses",
    namespaced: false,
    description: "IngressClass represents the class of the Ingress.",
    fields: { spec: loose.optional() },
    columns: [
      col("Controller", (o) => o.spec?.controller ?? ""),
      col("Parameters", (o) =>
        o.spec?.parameters ? `${o.spec.parameters.kind}/${o.spec.parameters.name}` : "<none>",
      ),
    ],
  }),
  defineKind({
    group: "networking.k8s.io",
    version: "v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    namespaced: true,
    shortNames: ["netpol"],
    description: "NetworkPolicy describes what network traffic is allowed for a set of Pods.",
    fields: { spec: z.looseObject({ podSelector: loose.optional() }).optional() },
    columns: [col("Pod-Selector", (o) => selectorString(o.spec?.podSelector).replace("<none>", ""))],
  }),
  defineKind({
    group: "storage.k8s.io",
    version: "v1",
    kind: "StorageClass",
    plural: "storageclasses",
    namespaced: false,
    shortNames: ["sc"],
    description:
      "StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.",
    fields: {
      provisioner: z.string().describe("The type of the provisioner."),
      parameters: z.record(z.string(), z.string()).optional(),
      reclaimPolicy: z.string().optional(),
      mountOptions: z.array(z.string()).optional(),
      allowVolumeExpansion: z.boolean().optional(),
      volumeBindingMode: z.enum(["Immediate", "WaitForFirstConsumer"]).optional(),
      allowedTopologies: z.array(loose).optional(),
    },
    defaults: (o: any) => {
      o.reclaimPolicy ??= "Delete";
      o.volumeBindingMode ??= "Immediate";
    },
    columns: [
      col("Provisioner", (o) => o.provisioner),
      col("ReclaimPolicy", (o) => o.reclaimPolicy ?? "Delete"),
      col("VolumeBindingMode", (o) => o.volumeBindingMode ?? "Immediate"),
      col("AllowVolumeExpansion", (o) => String(Boolean(o.allowVolumeExpansion))),
    ],
  }),
  defineKind({
    group: "policy",
    version: "v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    namespaced: true,
    shortNames: ["pdb"],
    status: true,
    description:
      "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods.",
    fields: {
      spec: z
        .looseObject({
          minAvailable: z.union([z.number().int(), z.string()]).optional(),
          maxUnavailable: z.union([z.number().int(), z.string()]).optional(),
          selector: loose.optional(),
        })
        .optional(),
      status: loose.optional(),
    },
    validate: (o: any) =>
      o.spec?.minAvailable !== undefined && o.spec?.maxUnavailable !== undefined
        ? [
            {
              type: "FieldValueInvalid",
              field: "spec",
              message: `Invalid value: ${JSON.stringify(o.spec)}: minAvailable and maxUnavailable cannot be both set`,
            },
          ]
        : [],
    columns: [
      col("Min Available", (o) => o.spec?.minAvailable ?? "N/A"),
      col("Max Unavailable", (o) => o.spec?.maxUnavailable ?? "N/A"),
      col("Allowed Disruptions", (o) => count(o.status?.disruptionsAllowed), { type: "integer" }),
    ],
  }),
  defineKind({
    group: "autoscaling",
    version: "v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    namespaced: true,
    shortNames: ["hpa"],
    categories: ["all"],
    status: true,
    description: "HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler.",
    fields: {
      spec: z
        .looseObject({
          scaleTargetRef: z.object({ apiVersion: z.string().optional(), kind: z.string(), name: z.string() }),
          minReplicas: z.number().int().min(1).optional(),
          maxReplicas: z.number().int().min(1),
          metrics: z.array(loose).optional(),
          behavior: loose.optional(),
        })
        .optional(),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      if (!o.spec || typeof o.spec !== "object") return;
      o.spec.minReplicas ??= 1;
      o.spec.metrics ??= [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
        },
      ];
    },
    validate: (o: any) => (o.spec ? [] : [required("spec")]),
    columns: [
      col("Reference", (o) => `${o.spec?.scaleTargetRef?.kind}/${o.spec?.scaleTargetRef?.name}`),
      col("Targets", (o) =>
        (o.spec?.metrics ?? [])
          .map(
            (m: any) =>
              `${m.resource?.name ?? m.type}: <unknown>/${m.resource?.target?.averageUtilization ?? m.resource?.target?.averageValue ?? "?"}${m.resource?.target?.averageUtilization ? "%" : ""}`,
          )
          .join(", "),
      ),
      col("MinPods", (o) => o.spec?.minReplicas ?? 1, { type: "integer" }),
      col("MaxPods", (o) => o.spec?.maxReplicas, { type: "integer" }),
      col("Replicas", (o) => count(o.status?.currentReplicas), { type: "integer" }),
    ],
  }),
  defineKind({
    group: "scheduling.k8s.io",
    version: "v1",
    kind: "PriorityClass",
    plural: "priorityclasses",
    namespaced: false,
    shortNames: ["pc"],
    description: "PriorityClass defines mapping from a priority class name to the priority integer value.",
    fields: {
      value: z.number().int().describe("The value of this priority class."),
      globalDefault: z.boolean().optional(),
      description: z.string().optional(),
      preemptionPolicy: z.enum(["PreemptLowerPriority", "Never"]).optional(),
    },
    defaults: (o: any) => {
      o.preemptionPolicy ??= "PreemptLowerPriority";
    },
    columns: [
      col("Value", (o) => o.value, { type: "integer" }),
      col("Global-Default", (o) => String(Boolean(o.globalDefault)), { type: "boolean" }),
      ageColumn,
      col("PreemptionPolicy", (o) => o.preemptionPolicy ?? "PreemptLowerPriority"),
    ],
  }),
  defineKind({
    group: "events.k8s.io",
    version: "v1",
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
    description: "Event is a report of an event somewhere in the cluster.",
    fields: Object.fromEntries(
      [
        "eventTime",
        "series",
        "reportingController",
        "reportingInstance",
        "action",
        "reason",
        "regarding",
        "related",
        "note",
        "type",
        "deprecatedSource",
        "deprecatedFirstTimestamp",
        "deprecatedLastTimestamp",
        "deprecatedCount",
      ].map((k) => [k, z.unknown().optional()]),
    ),
    columns: [
      col("Type", (o) => o.type ?? ""),
      col("Reason", (o) => o.reason ?? ""),
      col("Object", (o) => `${String(o.regarding?.kind ?? "").toLowerCase()}/${o.regarding?.name ?? ""}`),
      col("Message", (o) => o.note ?? ""),
    ],
  }),
  defineKind({
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    status: true,
    description: "CustomResourceDefinition represents a resource that should be exposed on the API server.",
    fields: {
      spec: z
        .looseObject({
          group: z.string().describe("The API group of the defined custom resource."),
          names: z.looseObject({ plural: z.string(), kind: z.string() }),
          scope: z.enum(["Namespaced", "Cluster"]),
          versions: z
            .array(z.looseObject({ name: z.string(), served: z.boolean(), storage: z.boolean() }))
            .min(1),
        })
        .describe("The specification for the custom resource."),
      status: loose.optional(),
    },
    columns: [col("Created At", (o) => o.metadata.creationTimestamp)],
  }),
];
