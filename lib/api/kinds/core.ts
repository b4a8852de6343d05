import { z } from "zod";
import type { FieldError, KindInfo, KubeObject } from "../types.ts";
import { ageColumn, col, selectorString } from "./columns.ts";
import { defineKind } from "./define.ts";
import { invalid, required } from "./meta.ts";
import {
  defaultPodSpec,
  intOrString,
  loose,
  podColumns,
  podSpecSchema,
  podStatusSchema,
  podWideColumns,
  quantity,
  validatePodSpec,
} from "./pod.ts";

// core/v1 kinds.

const v1 = { group: "", version: "v1" } as const;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function validateConfigKeys(obj: KubeObject, fields: string[]): FieldError[] {
  const out: FieldError[] = [];
  for (const f of fields) {
    for (const k of Object.keys((obj[f] as Record<string, unknown>) ?? {})) {
      if (!CONFIG_KEY.test(k) || k.length > 253 || k === "." || k === "..") {
        out.push(
          invalid(
            `${f}`,
            k,
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
          ),
        );
      }
    }
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const coreKinds: KindInfo[] = [
  defineKind({
    ...v1,
    kind: "Namespace",
    plural: "namespaces",
    namespaced: false,
    shortNames: ["ns"],
    status: true,
    nameRule: "label",
    description: "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
    fields: {
      spec: z.object({ finalizers: z.array(z.string()).optional() }).optional(),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      o.spec ??= {};
      o.spec.finalizers ??= ["kubernetes"];
      o.status ??= {};
      o.status.phase ??= "Active";
      o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": o.metadata.name };
    },
    columns: [
      col("Status", (o) => o.status?.phase ?? "Active", { description: "The status of the namespace" }),
    ],
  }),
  defineKind({
    ...v1,
    kind: "Pod",
    plural: "pods",
    namespaced: true,
    shortNames: ["po"],
    categories: ["all"],
    status: true,
    description: "Pod is a collection of containers that can run on a host.",
    fields: {
      spec: podSpecSchema.describe("Specification of the desired behavior of the pod."),
      status: podStatusSchema.optional(),
    },
    defaults: (o: any) => {
      if (!o.spec || typeof o.spec !== "object") return;
      defaultPodSpec(o.spec);
      o.spec.serviceAccountName ??= "default";
      o.spec.serviceAccount ??= o.spec.serviceAccountName;
      o.spec.tolerations ??= [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ];
      o.spec.priority ??= 0;
      o.status ??= { phase: "Pending", qosClass: "BestEffort" };
    },
    validate: (o: any) => validatePodSpec(o.spec, "spec"),
    columns: [...podColumns, ageColumn, ...podWideColumns],
  }),
  defineKind({
    ...v1,
    kind: "Service",
    plural: "services",
    namespaced: true,
    shortNames: ["svc"],
    categories: ["all"],
    status: true,
    nameRule: "dns1035",
    description:
      "Service is a named abstraction of software service consisting of a local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
    fields: {
      spec: z
        .looseObject({
          type: z
            .enum(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"])
            .optional()
            .describe("Determines how the Service is exposed. Defaults to ClusterIP."),
          selector: z
            .record(z.string(), z.string())
            .optional()
            .describe("Route service traffic to pods with label keys and values matching this selector."),
          ports: z
            .array(
              z.looseObject({
                name: z.string().optional(),
                port: z.number().int().min(1).max(65535),
                targetPort: intOrString.optional(),
                protocol: z.enum(["TCP", "UDP", "SCTP"]).optional(),
                nodePort: z.number().int().optional(),
              }),
            )
            .optional()
            .describe("The list of ports that are exposed by this service."),
          clusterIP: z.string().optional(),
        })
        .optional(),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      o.spec ??= {};
      const s = o.spec;
      s.type ??= "ClusterIP";
      if (s.type !== "ExternalName") {
        s.sessionAffinity ??= "None";
        s.ipFamilyPolicy ??= "SingleStack";
        s.ipFamilies ??= ["IPv4"];
        s.internalTrafficPolicy ??= "Cluster";
      }
      if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ??= "Cluster";
      for (const p of s.ports ?? []) {
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
      }
      o.status ??= { loadBalancer: {} };
    },
    validate: (o: any) => {
      const out: FieldError[] = [];
      const ports = o.spec?.ports ?? [];
      if (o.spec?.type !== "ExternalName" && ports.length === 0 && o.spec?.clusterIP !== "None")
        out.push(required("spec.ports"));
      if (ports.length > 1)
        ports.forEach((p: any, i: number) => !p.name && out.push(required(`spec.ports[${i}].name`)));
      return out;
    },
    columns: [
      col("Type", (o) => o.spec?.type ?? "ClusterIP", { description: "The type of service." }),
      col("Cluster-IP", (o) => o.spec?.clusterIP ?? "<none>", {
        description: "The cluster IP of the service.",
      }),
      col("External-IP", (o) => {
        const ing = o.status?.loadBalancer?.ingress ?? [];
        if (ing.length) return ing.map((i: any) => i.hostname ?? i.ip).join(",");
        if (o.spec?.type === "ExternalName") return o.spec.externalName;
        return o.spec?.type === "LoadBalancer" ? "<pending>" : "<none>";
      }),
      col(
        "Port(s)",
        (o) =>
          (o.spec?.ports ?? [])
            .map((p: any) =>
              p.nodePort
                ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}`
                : `${p.port}/${p.protocol ?? "TCP"}`,
            )
            .join(",") || "<none>",
      ),
      ageColumn,
      col("Selector", (o) => selectorString(o.spec?.selector), { priority: 1 }),
    ],
  }),
  defineKind({
    ...v1,
    kind: "Endpoints",
    plural: "endpoints",
    singular: "endpoints",
    namespaced: true,
    shortNames: ["ep"],
    description: "Endpoints is a collection of endpoints that implement the actual service.",
    fields: { subsets: z.array(loose).optional() },
    columns: [
      col("Endpoints", (o) => {
        const addrs: string[] = [];
        for (const s of o.subsets ?? [])
          for (const a of s.addresses ?? [])
            for (const p of s.ports ?? [{}]) addrs.push(p.port ? `${a.ip}:${p.port}` : a.ip);
        return addrs.length
          ? addrs.slice(0, 3).join(",") + (addrs.length > 3 ? ` + ${addrs.length - 3} more...` : "")
          : "<none>";
      }),
    ],
  }),
  defineKind({
    ...v1,
    kind: "ConfigMap",
    plural: "configmaps",
    namespaced: true,
    shortNames: ["cm"],
    description: "ConfigMap holds configuration data for pods to consume.",
    fields: {
      data: z.record(z.string(), z.string()).optional().describe("Data contains the configuration data."),
      binaryData: z
        .record(z.string(), z.string())
        .optional()
        .describe("BinaryData contains the binary data (base64)."),
      immutable: z.boolean().optional(),
    },
    validate: (o, old) => {
      const out = validateConfigKeys(o, ["data", "binaryData"]);
      if (
        old &&
        (old as any).immutable &&
        JSON.stringify([o.data, o.binaryData]) !== JSON.stringify([old.data, old.binaryData])
      ) {
        out.push({
          type: "FieldValueForbidden",
          field: "data",
          message: "Forbidden: field is immutable when `immutable` is set",
        });
      }
      return out;
    },
    columns: [
      col("Data", (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, {
        type: "integer",
        description: "Number of data entries",
      }),
    ],
  }),
  defineKind({
    ...v1,
    kind: "Secret",
    plural: "secrets",
    namespaced: true,
    description: "Secret holds secret data of a certain type.",
    fields: {
      data: z
        .record(z.string(), z.string())
        .optional()
        .describe("Data contains the secret data, base64 encoded."),
      stringData: z
        .record(z.string(), z.string())
        .optional()
        .describe(
          "stringData allows specifying non-binary secret data in string form; it is merged into data on write.",
        ),
      type: z.string().optional().describe("Used to facilitate programmatic handling of secret data."),
      immutable: z.boolean().optional(),
    },
    defaults: (o: any) => {
      o.type ??= "Opaque";
      if (o.stringData) {
        o.data = { ...(o.data ?? {}) };
        for (const [k, v] of Object.entries(o.stringData))
          o.data[k] = Buffer.from(String(v), "utf8").toString("base64");
        delete o.stringData;
      }
    },
    validate: (o: any) => {
      const out = validateConfigKeys(o, ["data"]);
      for (const [k, v] of Object.entries(o.data ?? {})) {
        if (typeof v === "string" && (!BASE64.test(v) || v.length % 4 !== 0))
          out.push(invalid(`data[${k}]`, "<secret contents redacted>", "illegal base64 data"));
      }
      return out;
    },
    columns: [
      col("Type", (o) => o.type ?? "Opaque", { description: "The type of the secret" }),
      col("Data", (o) => Object.keys(o.data ?? {}).length, {
        type: "integer",
        description: "Number of data entries",
      }),
    ],
  }),
  defineKind({
    ...v1,
    kind: "ServiceAccount",
    plural: "serviceaccounts",
    namespaced: true,
    shortNames: ["sa"],
    description:
      "ServiceAccount binds together a name, a principal that can be authenticated, and a set of secrets.",
    fields: {
      secrets: z.array(loose).optional(),
      imagePullSecrets: z.array(loose).optional(),
      automountServiceAccountToken: z.boolean().optional(),
    },
    columns: [col("Secrets", (o) => (o.secrets ?? []).length, { type: "integer" })],
  }),
  defineKind({
    ...v1,
    kind: "Node",
    plural: "nodes",
    namespaced: false,
    shortNames: ["no"],
    status: true,
    description: "Node is a worker node in Kubernetes.",
    fields: { spec: loose.optional(), status: loose.optional() },
    columns: [
      col("Status", (o) => {
        const ready = (o.status?.conditions ?? []).find((c: any) => c.type === "Ready");
        const s = ready?.status === "True" ? "Ready" : ready ? "NotReady" : "Unknown";
        return o.spec?.unschedulable ? `${s},SchedulingDisabled` : s;
      }),
      col("Roles", (o) => {
        const roles = Object.keys(o.metadata.labels ?? {})
          .filter((k) => k.startsWith("node-role.kubernetes.io/"))
          .map((k) => k.slice(24));
        return roles.length ? roles.join(",") : "<none>";
      }),
      ageColumn,
      col("Version", (o) => o.status?.nodeInfo?.kubeletVersion ?? ""),
      col(
        "Internal-IP",
        (o) => (o.status?.addresses ?? []).find((a: any) => a.type === "InternalIP")?.address ?? "<none>",
        { priority: 1 },
      ),
      col(
        "External-IP",
        (o) => (o.status?.addresses ?? []).find((a: any) => a.type === "ExternalIP")?.address ?? "<none>",
        { priority: 1 },
      ),
      col("OS-Image", (o) => o.status?.nodeInfo?.osImage ?? "<unknown>", { priority: 1 }),
      col("Kernel-Version", (o) => o.status?.nodeInfo?.kernelVersion ?? "<unknown>", { priority: 1 }),
      col("Container-Runtime", (o) => o.status?.nodeInfo?.containerRuntimeVersion ?? "<unknown>", {
        priority: 1,
      }),
    ],
  }),
  defineKind({
    ...v1,
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
    description: "Event is a report of an event somewhere in the cluster.",
    fields: Object.fromEntries(
      [
        "involvedObject",
        "reason",
        "message",
        "source",
        "firstTimestamp",
        "lastTimestamp",
        "count",
        "type",
        "eventTime",
        "series",
        "action",
        "related",
        "reportingComponent",
        "reportingInstance",
      ].map((k) => [k, z.unknown().optional()]),
    ),
    columns: [
      col("Last Seen", (o, now) => {
        const t = o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp;
        return t ? require_age(t, now) : "<unknown>";
      }),
      col("Type", (o) => o.type ?? ""),
      col("Reason", (o) => o.reason ?? ""),
      col(
        "Object",
        (o) => `${String(o.involvedObject?.kind ?? "").toLowerCase()}/${o.involvedObject?.name ?? ""}`,
      ),
      col("Message", (o) => o.message ?? ""),
    ],
  }),
  defineKind({
    ...v1,
    kind: "PersistentVolume",
    plural: "persistentvolumes",
    namespaced: false,
    shortNames: ["pv"],
    status: true,
    description: "PersistentVolume (PV) is a storage resource provisioned by an administrator.",
    fields: { spec: loose.optional(), status: loose.optional() },
    defaults: (o: any) => {
      o.spec ??= {};
      o.spec.persistentVolumeReclaimPolicy ??= "Retain";
      o.spec.volumeMode ??= "Filesystem";
      o.status ??= { phase: "Pending" };
    },
    columns: [
      col("Capacity", (o) => o.spec?.capacity?.storage ?? ""),
      col("Access Modes", (o) => accessModes(o.spec?.accessModes)),
      col("Reclaim Policy", (o) => o.spec?.persistentVolumeReclaimPolicy ?? ""),
      col("Status", (o) => o.status?.phase ?? ""),
      col("Claim", (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : "")),
      col("StorageClass", (o) => o.spec?.storageClassName ?? ""),
      col("VolumeAttributesClass", () => "<unset>"),
      col("Reason", (o) => o.status?.reason ?? ""),
    ],
  }),
  defineKind({
    ...v1,
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    namespaced: true,
    shortNames: ["pvc"],
    status: true,
    description: "PersistentVolumeClaim is a user's request for and claim to a persistent volume.",
    fields: {
      spec: z
        .looseObject({
          accessModes: z.array(z.string()).optional(),
          resources: z.looseObject({ requests: z.record(z.string(), quantity).optional() }).optional(),
        })
        .optional(),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      o.spec ??= {};
      o.spec.volumeMode ??= "Filesystem";
      o.status ??= { phase: "Pending" };
    },
    validate: (o: any) =>
      o.spec?.accessModes?.length ? [] : [required("spec.accessModes", "at least 1 access mode is required")],
    columns: [
      col("Status", (o) => o.status?.phase ?? ""),
      col("Volume", (o) => o.spec?.volumeName ?? ""),
      col("Capacity", (o) => o.status?.capacity?.storage ?? ""),
      col("Access Modes", (o) => accessModes(o.status?.accessModes)),
      col("StorageClass", (o) => o.spec?.storageClassName ?? ""),
      col("VolumeAttributesClass", () => "<unset>"),
    ],
  }),
  defineKind({
    ...v1,
    kind: "ResourceQuota",
    plural: "resourcequotas",
    namespaced: true,
    shortNames: ["quota"],
    status: true,
    description: "ResourceQuota sets aggregate quota restrictions enforced per namespace.",
    fields: {
      spec: z.looseObject({ hard: z.record(z.string(), quantity).optional() }).optional(),
      status: loose.optional(),
    },
    columns: [
      col("Request", (o) =>
        Object.entries(o.spec?.hard ?? {})
          .filter(([k]) => !k.startsWith("limits."))
          .map(([k, v]) => `${k}: ${o.status?.used?.[k] ?? 0}/${v}`)
          .join(", "),
      ),
      col("Limit", (o) =>
        Object.entries(o.spec?.hard ?? {})
          .filter(([k]) => k.startsWith("limits."))
          .map(([k, v]) => `${k}: ${o.status?.used?.[k] ?? 0}/${v}`)
          .join(", "),
      ),
    ],
  }),
  defineKind({
    ...v1,
    kind: "LimitRange",
    plural: "limitranges",
    namespaced: true,
    shortNames: ["limits"],
    description: "LimitRange sets resource usage limits for each kind of resource in a Namespace.",
    fields: { spec: z.looseObject({ limits: z.array(loose) }).optional() },
    columns: [ageColumn],
  }),
];

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = {
    ReadWriteOnce: "RWO",
    ReadOnlyMany: "ROX",
    ReadWriteMany: "RWX",
    ReadWriteOncePod: "RWOP",
  };
  return (modes ?? []).map((m) => short[m] ?? m).join(",");
}

function require_age(ts: string, now: Date): string {
  return ageColumn.cell(
    { apiVersion: "v1", kind: "Event", metadata: { creationTimestamp: ts } },
    now,
  ) as string;
}
