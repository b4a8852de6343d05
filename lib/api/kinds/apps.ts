import { z } from "zod";
import { labelSelectorFromObject } from "../selectors.ts";
import type { FieldError, KindInfo } from "../types.ts";
import { ageColumn, col, count, selectorString } from "./columns.ts";
import { defineKind } from "./define.ts";
import { goStringMap, invalid, invalidRaw, labelSelectorSchema, required, validateLabels } from "./meta.ts";
import {
  containersAndImages,
  defaultPodSpec,
  intOrString,
  loose,
  podTemplateSchema,
  validatePodSpec,
} from "./pod.ts";

// apps/v1 workload kinds.

const apps = { group: "apps", version: "v1" } as const;
const scale = {
  specReplicasPath: ".spec.replicas",
  statusReplicasPath: ".status.replicas",
  labelSelectorPath: ".status.selector",
};

/** Selector present, non-empty, and matching the template's labels (apps/v1 rules). */
function validateWorkload(o: any, old: any, what = "deployment"): FieldError[] {
  const out: FieldError[] = [];
  const spec = o.spec ?? {};
  const sel = spec.selector;
  if (!sel) out.push(required("spec.selector"));
  else {
    const empty = !Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length;
    if (empty) out.push(invalid("spec.selector", sel, `empty selector is invalid for ${what}`));
    out.push(...validateLabels(sel.matchLabels, "spec.selector.matchLabels"));
    const labels = spec.template?.metadata?.labels;
    if (!empty && !labelSelectorFromObject(sel).matches(labels)) {
      out.push(
        invalidRaw(
          "spec.template.metadata.labels",
          goStringMap(labels),
          "`selector` does not match template `labels`",
        ),
      );
    }
    if (old?.spec?.selector && JSON.stringify(old.spec.selector) !== JSON.stringify(sel)) {
      out.push(invalid("spec.selector", sel, "field is immutable"));
    }
  }
  out.push(...validateLabels(spec.template?.metadata?.labels, "spec.template.metadata.labels"));
  out.push(...validatePodSpec(spec.template?.spec, "spec.template.spec"));
  const rp = spec.template?.spec?.restartPolicy;
  if (rp && rp !== "Always")
    out.push({
      type: "FieldValueNotSupported",
      field: "spec.template.spec.restartPolicy",
      message: `Unsupported value: "${rp}": supported values: "Always"`,
    });
  return out;
}

/** ValidateRollingUpdateDaemonSet: exactly one of maxSurge and maxUnavailable is non-zero. */
function validateDaemonSetRollingUpdate(o: any): FieldError[] {
  const ru =
    o.spec?.updateStrategy?.type === "RollingUpdate" ? o.spec.updateStrategy.rollingUpdate : undefined;
  if (!ru) return [];
  const path = "spec.updateStrategy.rollingUpdate";
  const nonZero = (v: unknown) => v !== undefined && v !== null && Number.parseInt(String(v), 10) !== 0;
  const unavailable = nonZero(ru.maxUnavailable);
  const surge = nonZero(ru.maxSurge);
  if (unavailable && surge)
    return [invalid(`${path}.maxSurge`, ru.maxSurge, "may not be set when maxUnavailable is non-zero")];
  if (!unavailable && !surge) return [required(`${path}.maxUnavailable`, "cannot be 0 when maxSurge is 0")];
  return [];
}

function workloadSpec(kind: string, extra: Record<string, z.ZodType>) {
  return z
    .object({
      replicas: z.number().int().min(0).optional().describe("Number of desired pods. Defaults to 1."),
      selector: labelSelectorSchema
        .optional()
        .describe("Label selector for pods. It must match the pod template's labels."),
      template: podTemplateSchema.describe("Template describes the pods that will be created."),
      minReadySeconds: z.number().int().min(0).optional(),
      revisionHistoryLimit: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe("The number of old ReplicaSets to retain to allow rollback."),
      ...extra,
    })
    .meta({
      id: `io.k8s.api.apps.v1.${kind}Spec`,
      description: `${kind}Spec is the specification of a ${kind}.`,
    });
}

const wideColumns = (selector = true) => [
  col("Containers", (o) => containersAndImages(o.spec?.template?.spec).containers, {
    priority: 1,
    description: "Names of each container in the template.",
  }),
  col("Images", (o) => containersAndImages(o.spec?.template?.spec).images, {
    priority: 1,
    description: "Images referenced by each container in the template.",
  }),
  ...(selector
    ? [
        col("Selector", (o) => selectorString(o.spec?.selector), {
          priority: 1,
          description: "Label selector for pods.",
        }),
      ]
    : []),
];

const daemonSetSpec = z
  .object({
    selector: labelSelectorSchema
      .optional()
      .describe("A label query over pods that are managed by the daemon set."),
    template: podTemplateSchema.describe("An object that describes the pod that will be created."),
    updateStrategy: z
      .object({
        type: z.enum(["RollingUpdate", "OnDelete"]).optional(),
        rollingUpdate: z
          .object({ maxUnavailable: intOrString.optional(), maxSurge: intOrString.optional() })
          .optional(),
      })
      .optional()
      .describe("An update strategy to replace existing DaemonSet pods with new pods."),
    minReadySeconds: z.number().int().min(0).optional(),
    revisionHistoryLimit: z.number().int().min(0).optional(),
  })
  .meta({
    id: "io.k8s.api.apps.v1.DaemonSetSpec",
    description: "DaemonSetSpec is the specification of a daemon set.",
  });

export const appsKinds: KindInfo[] = [
  defineKind({
    ...apps,
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ["all"],
    status: true,
    scale,
    description: "Deployment enables declarative updates for Pods and ReplicaSets.",
    fields: {
      spec: workloadSpec("Deployment", {
        strategy: z
          .object({
            type: z
              .enum(["Recreate", "RollingUpdate"])
              .optional()
              .describe(
                'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.',
              ),
            rollingUpdate: z
              .object({ maxSurge: intOrString.optional(), maxUnavailable: intOrString.optional() })
              .optional(),
          })
          .optional()
          .describe("The deployment strategy to use to replace existing pods with new ones."),
        paused: z.boolean().optional().describe("Indicates that the deployment is paused."),
        progressDeadlineSeconds: z
          .number()
          .int()
          .optional()
          .describe(
            "The maximum time in seconds for a deployment to make progress before it is considered to be failed.",
          ),
      })
        .optional()
        .describe("Specification of the desired behavior of the Deployment."),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      const s = o.spec;
      if (!s || typeof s !== "object") return;
      s.replicas ??= 1;
      s.strategy ??= {};
      s.strategy.type ??= "RollingUpdate";
      if (s.strategy.type === "RollingUpdate") {
        s.strategy.rollingUpdate ??= {};
        s.strategy.rollingUpdate.maxSurge ??= "25%";
        s.strategy.rollingUpdate.maxUnavailable ??= "25%";
      }
      s.revisionHistoryLimit ??= 10;
      s.progressDeadlineSeconds ??= 600;
      defaultPodSpec(s.template?.spec);
    },
    validate: (o: any, old) => {
      const out = validateWorkload(o, old);
      if (!o.spec) out.push(required("spec.template.spec.containers"));
      const ru = o.spec?.strategy?.rollingUpdate;
      if (
        ru &&
        (ru.maxSurge === 0 || ru.maxSurge === "0%") &&
        (ru.maxUnavailable === 0 || ru.maxUnavailable === "0%")
      ) {
        out.push(
          invalid(
            "spec.strategy.rollingUpdate.maxUnavailable",
            ru.maxUnavailable,
            "may not be 0 when `maxSurge` is 0",
          ),
        );
      }
      return out;
    },
    columns: [
      col("Ready", (o) => `${count(o.status?.readyReplicas)}/${count(o.spec?.replicas)}`, {
        description: "Number of the pod with ready state",
      }),
      col("Up-to-date", (o) => count(o.status?.updatedReplicas), {
        type: "integer",
        description:
          "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
      }),
      col("Available", (o) => count(o.status?.availableReplicas), {
        type: "integer",
        description:
          "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
      }),
      ageColumn,
      ...wideColumns(),
    ],
  }),
  defineKind({
    ...apps,
    kind: "ReplicaSet",
    plural: "replicasets",
    namespaced: true,
    shortNames: ["rs"],
    categories: ["all"],
    status: true,
    scale,
    description: "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
    fields: { spec: workloadSpec("ReplicaSet", {}).optional(), status: loose.optional() },
    defaults: (o: any) => {
      if (!o.spec || typeof o.spec !== "object") return;
      o.spec.replicas ??= 1;
      defaultPodSpec(o.spec.template?.spec);
    },
    validate: (o, old) => validateWorkload(o, old, "deployment"),
    columns: [
      col("Desired", (o) => count(o.spec?.replicas), { type: "integer" }),
      col("Current", (o) => count(o.status?.replicas), { type: "integer" }),
      col("Ready", (o) => count(o.status?.readyReplicas), { type: "integer" }),
      ageColumn,
      ...wideColumns(),
    ],
  }),
  defineKind({
    ...apps,
    kind: "StatefulSet",
    plural: "statefulsets",
    namespaced: true,
    shortNames: ["sts"],
    categories: ["all"],
    status: true,
    scale,
    description: "StatefulSet represents a set of pods with consistent identities.",
    fields: {
      spec: workloadSpec("StatefulSet", {
        serviceName: z
          .string()
          .optional()
          .describe("The name of the service that governs this StatefulSet (network identity of its pods)."),
        podManagementPolicy: z.enum(["OrderedReady", "Parallel"]).optional(),
        updateStrategy: z
          .object({
            type: z.enum(["RollingUpdate", "OnDelete"]).optional(),
            rollingUpdate: z
              .object({
                partition: z.number().int().min(0).optional(),
                maxUnavailable: intOrString.optional(),
              })
              .optional(),
          })
          .optional()
          .describe("Indicates the StatefulSetUpdateStrategy used to update Pods when the template changes."),
        volumeClaimTemplates: z
          .array(loose)
          .optional()
          .describe("A list of claims that pods are allowed to reference; each pod gets its own claim."),
        persistentVolumeClaimRetentionPolicy: z
          .object({
            whenDeleted: z.enum(["Retain", "Delete"]).optional(),
            whenScaled: z.enum(["Retain", "Delete"]).optional(),
          })
          .optional(),
        ordinals: z.object({ start: z.number().int().min(0).optional() }).optional(),
      }).optional(),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      const s = o.spec;
      if (!s || typeof s !== "object") return;
      s.replicas ??= 1;
      s.podManagementPolicy ??= "OrderedReady";
      s.updateStrategy ??= {};
      s.updateStrategy.type ??= "RollingUpdate";
      if (s.updateStrategy.type === "RollingUpdate") {
        s.updateStrategy.rollingUpdate ??= {};
        s.updateStrategy.rollingUpdate.partition ??= 0;
      }
      s.revisionHistoryLimit ??= 10;
      s.persistentVolumeClaimRetentionPolicy ??= {};
      s.persistentVolumeClaimRetentionPolicy.whenDeleted ??= "Retain";
      s.persistentVolumeClaimRetentionPolicy.whenScaled ??= "Retain";
      defaultPodSpec(s.template?.spec);
    },
    validate: (o, old) => validateWorkload(o, old, "statefulset"),
    columns: [
      col("Ready", (o) => `${count(o.status?.readyReplicas)}/${count(o.spec?.replicas)}`),
      ageColumn,
      ...wideColumns(false),
    ],
  }),
  defineKind({
    ...apps,
    kind: "DaemonSet",
    plural: "daemonsets",
    namespaced: true,
    shortNames: ["ds"],
    categories: ["all"],
    status: true,
    description: "DaemonSet represents the configuration of a daemon set.",
    fields: {
      spec: daemonSetSpec.optional(),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      const s = o.spec;
      if (!s || typeof s !== "object") return;
      s.updateStrategy ??= {};
      s.updateStrategy.type ??= "RollingUpdate";
      if (s.updateStrategy.type === "RollingUpdate") {
        s.updateStrategy.rollingUpdate ??= {};
        s.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
        s.updateStrategy.rollingUpdate.maxSurge ??= 0;
      }
      s.revisionHistoryLimit ??= 10;
      defaultPodSpec(s.template?.spec);
    },
    validate: (o, old) => [...validateWorkload(o, old, "daemonset"), ...validateDaemonSetRollingUpdate(o)],
    columns: [
      col("Desired", (o) => count(o.status?.desiredNumberScheduled), { type: "integer" }),
      col("Current", (o) => count(o.status?.currentNumberScheduled), { type: "integer" }),
      col("Ready", (o) => count(o.status?.numberReady), { type: "integer" }),
      col("Up-to-date", (o) => count(o.status?.updatedNumberScheduled), { type: "integer" }),
      col("Available", (o) => count(o.status?.numberAvailable), { type: "integer" }),
      col("Node Selector", (o) => selectorString(o.spec?.template?.spec?.nodeSelector)),
      ageColumn,
      ...wideColumns(),
    ],
  }),
  defineKind({
    ...apps,
    kind: "ControllerRevision",
    plural: "controllerrevisions",
    namespaced: true,
    description: "ControllerRevision implements an immutable snapshot of state data.",
    fields: { data: z.unknown().optional(), revision: z.number().int() },
    columns: [
      col("Controller", (o) => {
        const ow = (o.metadata.ownerReferences ?? [])[0];
        return ow ? `${String(ow.kind).toLowerCase()}.apps/${ow.name}` : "<none>";
      }),
      col("Revision", (o) => o.revision, { type: "integer" }),
    ],
  }),
];
