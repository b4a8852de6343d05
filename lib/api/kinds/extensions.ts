import { z } from "zod";
import type { KindInfo } from "../types.ts";
import { col } from "./columns.ts";
import { defineKind } from "./define.ts";
import { loose } from "./pod.ts";

// Kinds that Helm charts and EKS add-ons install alongside their workloads (webhook configurations, admission
// policies, CSI objects, RuntimeClasses, APIServices, PodTemplates). They are stored, listed and watched like
// any object so those charts install; nothing acts on them: simulated pods cannot serve a webhook or an
// aggregated API, so registering one does not route requests to it.

const count = (v: unknown) => (Array.isArray(v) ? String(v.length) : "0");

export const extensionKinds: KindInfo[] = [
  ...(["Mutating", "Validating"] as const).map((m) =>
    defineKind({
      group: "admissionregistration.k8s.io",
      version: "v1",
      kind: `${m}WebhookConfiguration`,
      plural: `${m.toLowerCase()}webhookconfigurations`,
      namespaced: false,
      categories: ["api-extensions"],
      description: `${m}WebhookConfiguration describes the configuration of an admission webhook that ${m === "Mutating" ? "accepts or rejects and may change" : "accepts or rejects"} the object. Stored only: Kumulus does not call webhooks.`,
      fields: { webhooks: z.array(loose).optional().describe("Webhooks is a list of webhooks.") },
      columns: [col("Webhooks", (o) => count(o.webhooks))],
    }),
  ),
  defineKind({
    group: "admissionregistration.k8s.io",
    version: "v1",
    kind: "ValidatingAdmissionPolicy",
    plural: "validatingadmissionpolicies",
    namespaced: false,
    categories: ["api-extensions"],
    status: true,
    description:
      "ValidatingAdmissionPolicy describes the definition of an admission validation policy. Stored only: Kumulus does not evaluate CEL policies yet.",
    fields: { spec: loose.optional(), status: loose.optional() },
    columns: [
      col("Validations", (o) => count(o.spec?.validations)),
      col("ParamKind", (o) =>
        o.spec?.paramKind ? `${o.spec.paramKind.apiVersion}/${o.spec.paramKind.kind}` : "<unset>",
      ),
    ],
  }),
  defineKind({
    group: "admissionregistration.k8s.io",
    version: "v1",
    kind: "ValidatingAdmissionPolicyBinding",
    plural: "validatingadmissionpolicybindings",
    namespaced: false,
    categories: ["api-extensions"],
    description:
      "ValidatingAdmissionPolicyBinding binds a ValidatingAdmissionPolicy with parameterized resources.",
    fields: { spec: loose.optional() },
    columns: [
      col("PolicyName", (o) => o.spec?.policyName ?? ""),
      col("ParamRef", (o) => (o.spec?.paramRef ? (o.spec.paramRef.name ?? "*") : "<unset>")),
    ],
  }),
  defineKind({
    group: "storage.k8s.io",
    version: "v1",
    kind: "CSIDriver",
    plural: "csidrivers",
    namespaced: false,
    description: "CSIDriver captures information about a Container Storage Interface (CSI) volume driver.",
    fields: { spec: loose },
    columns: [
      col("AttachRequired", (o) => String(o.spec?.attachRequired ?? true)),
      col("PodInfoOnMount", (o) => String(o.spec?.podInfoOnMount ?? false)),
      col("Modes", (o) => (o.spec?.volumeLifecycleModes ?? ["Persistent"]).join(",")),
    ],
  }),
  defineKind({
    group: "storage.k8s.io",
    version: "v1",
    kind: "CSINode",
    plural: "csinodes",
    namespaced: false,
    description: "CSINode holds information about all CSI drivers installed on a node.",
    fields: { spec: loose },
    columns: [col("Drivers", (o) => count(o.spec?.drivers))],
  }),
  defineKind({
    group: "storage.k8s.io",
    version: "v1",
    kind: "VolumeAttachment",
    plural: "volumeattachments",
    namespaced: false,
    status: true,
    description:
      "VolumeAttachment captures the intent to attach or detach the specified volume to/from the specified node.",
    fields: { spec: loose, status: loose.optional() },
    columns: [
      col("Attacher", (o) => o.spec?.attacher ?? ""),
      col("PV", (o) => o.spec?.source?.persistentVolumeName ?? ""),
      col("Node", (o) => o.spec?.nodeName ?? ""),
      col("Attached", (o) => String(o.status?.attached ?? false)),
    ],
  }),
  defineKind({
    group: "node.k8s.io",
    version: "v1",
    kind: "RuntimeClass",
    plural: "runtimeclasses",
    namespaced: false,
    description: "RuntimeClass defines a class of container runtime supported in the cluster.",
    fields: {
      handler: z
        .string()
        .describe("The underlying runtime and configuration that the CRI implementation uses."),
      overhead: loose.optional(),
      scheduling: loose.optional(),
    },
    columns: [col("Handler", (o) => o.handler ?? "")],
  }),
  defineKind({
    group: "apiregistration.k8s.io",
    version: "v1",
    kind: "APIService",
    plural: "apiservices",
    namespaced: false,
    categories: ["api-extensions"],
    status: true,
    description:
      "APIService represents a server for a particular GroupVersion. Stored only: Kumulus serves metrics.k8s.io itself and does not proxy to aggregated servers.",
    fields: { spec: loose.optional(), status: loose.optional() },
    columns: [
      col("Service", (o) =>
        o.spec?.service ? `${o.spec.service.namespace}/${o.spec.service.name}` : "Local",
      ),
      col("Available", (o) => {
        const c = (o.status?.conditions ?? []).find((x: any) => x.type === "Available");
        return c ? `${c.status}${c.status === "True" ? "" : ` (${c.reason ?? ""})`}` : "Unknown";
      }),
    ],
  }),
  defineKind({
    group: "",
    version: "v1",
    kind: "PodTemplate",
    plural: "podtemplates",
    namespaced: true,
    description: "PodTemplate describes a template for creating copies of a predefined pod.",
    fields: {
      template: loose
        .optional()
        .describe("Template defines the pods that will be created from this pod template."),
    },
    columns: [
      col("Containers", (o) => (o.template?.spec?.containers ?? []).map((c: any) => c.name).join(",")),
      col("Images", (o) => (o.template?.spec?.containers ?? []).map((c: any) => c.image).join(",")),
      col("Pod Labels", (o) =>
        Object.entries(o.template?.metadata?.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(","),
      ),
    ],
  }),
];
