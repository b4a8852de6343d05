import { z } from "zod";
import type { KindInfo } from "../types.ts";
import { ageColumn, col, count, nameColumn } from "./columns.ts";
import { defineKind } from "./define.ts";
import { labelSelectorSchema, required } from "./meta.ts";
import { intOrString, loose } from "./pod.ts";

// The remaining built-in groups: coordination, storage, policy, autoscaling, scheduling and apiextensions.

const crdVersion = z.object({
  name: z.string().describe("The version name, e.g. v1, v2beta1."),
  served: z.boolean().describe("A flag enabling/disabling this version from being served via REST APIs"),
  storage: z.boolean().describe("Indicates this version should be used when persisting custom resources."),
  deprecated: z.boolean().optional(),
  deprecationWarning: z.string().optional(),
  schema: z
    .object({
      openAPIV3Schema: loose.optional().describe("The OpenAPI v3 schema to use for validation and pruning."),
    })
    .optional(),
  subresources: z
    .object({
      status: loose.optional(),
      scale: z
        .object({
          specReplicasPath: z.string(),
          statusReplicasPath: z.string(),
          labelSelectorPath: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  additionalPrinterColumns: z
    .array(
      z.object({
        name: z.string(),
        type: z.string(),
        format: z.string().optional(),
        description: z.string().optional(),
        priority: z.number().int().optional(),
        jsonPath: z.string(),
      }),
    )
    .optional()
    .describe("Additional columns returned in Table output."),
  selectableFields: z.array(z.object({ jsonPath: z.string() })).optional(),
});

const crdSpec = z
  .object({
    group: z.string().describe("The API group of the defined custom resource."),
    names: z
      .object({
        plural: z.string(),
        singular: z.string().optional(),
        shortNames: z.array(z.string()).optional(),
        kind: z.string(),
        listKind: z.string().optional(),
        categories: z.array(z.string()).optional(),
      })
      .describe("Specify the resource and kind names for the custom resource."),
    scope: z
      .enum(["Cluster", "Namespaced"])
      .describe("Indicates whether the resource is cluster- or namespace-scoped."),
    versions: z
      .array(crdVersion)
      .min(1)
      .describe("The list of all API versions of the defined custom resource."),
    conversion: loose.optional(),
    preserveUnknownFields: z.boolean().optional(),
  })
  .meta({
    id: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec",
    description: "CustomResourceDefinitionSpec describes how a user wants their resource to appear",
  });

const createdAt = col("Created At", (o) => o.metadata.creationTimestamp, { type: "date" });

export const miscKinds: KindInfo[] = [
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
    nameFirst: false,
    columns: [
      {
        ...nameColumn,
        cell: (o) =>
          o.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true"
            ? `${o.metadata.name} (default)`
            : o.metadata.name,
      },
      col("Provisioner", (o) => o.provisioner),
      col("ReclaimPolicy", (o) => o.reclaimPolicy ?? "Delete"),
      col("VolumeBindingMode", (o) => o.volumeBindingMode ?? "Immediate"),
      col("AllowVolumeExpansion", (o) => Boolean(o.allowVolumeExpansion), { type: "boolean" }),
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
        .object({
          minAvailable: intOrString
            .optional()
            .describe("An eviction is allowed if at least this many pods remain."),
          maxUnavailable: intOrString
            .optional()
            .describe("An eviction is allowed if at most this many pods are unavailable."),
          selector: labelSelectorSchema
            .optional()
            .describe("Label query over pods whose evictions are managed."),
          unhealthyPodEvictionPolicy: z.enum(["IfHealthyBudget", "AlwaysAllow"]).optional(),
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
        .object({
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
          .map((m: any) => {
            const name = m.resource?.name;
            const cur = (o.status?.currentMetrics ?? []).find((c: any) => c.resource?.name === name)?.resource
              ?.current;
            const t = m.resource?.target;
            if (t?.averageUtilization !== undefined)
              return `${name}: ${cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : "<unknown>"}/${t.averageUtilization}%`;
            return `${name ?? m.type}: ${cur?.averageValue ?? "<unknown>"}/${t?.averageValue ?? "?"}`;
          })
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
      col("Global-Default", (o) => Boolean(o.globalDefault), { type: "boolean" }),
      ageColumn,
      col("PreemptionPolicy", (o) => o.preemptionPolicy ?? "PreemptLowerPriority"),
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
    defaults: (o: any) => {
      const s = o.spec;
      if (!s || typeof s !== "object") return;
      if (s.names && typeof s.names === "object" && typeof s.names.kind === "string") {
        s.names.singular ??= s.names.kind.toLowerCase();
        s.names.listKind ??= `${s.names.kind}List`;
      }
      s.conversion ??= { strategy: "None" };
    },
    description: "CustomResourceDefinition represents a resource that should be exposed on the API server.",
    fields: {
      spec: crdSpec.describe("The specification for the custom resource."),
      status: loose.optional(),
    },
    columns: [createdAt],
    age: false,
  }),
];
