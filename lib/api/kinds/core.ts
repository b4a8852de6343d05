import { z } from "zod";
import type { FieldError, KindInfo, KubeObject } from "../types.ts";
import { ageColumn, col, selectorString } from "./columns.ts";
import { defineKind, STANDARD_VERBS } from "./define.ts";
import { duplicate, invalid, nameErrors, required, validateLabels } from "./meta.ts";
import {
  defaultPodSpec,
  intOrString,
  loose,
  podColumns,
  podSpecSchema,
  podStatusSchema,
  podWideColumns,
  qosClass,
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

const servicePort = z
  .object({
    name: z.string().optional().describe("The name of this port within the service. Must be a DNS_LABEL."),
    protocol: z
      .enum(["TCP", "UDP", "SCTP"])
      .optional()
      .describe("The IP protocol for this port. Default is TCP."),
    appProtocol: z.string().optional(),
    port: z.number().int().min(1).max(65535).describe("The port that will be exposed by this service."),
    targetPort: intOrString
      .optional()
      .describe("Number or name of the port to access on the pods targeted by the service."),
    nodePort: z.number().int().optional().describe("The port on each node on which this service is exposed."),
  })
  .meta({
    id: "io.k8s.api.core.v1.ServicePort",
    description: "ServicePort contains information on service's port.",
  });

const serviceSpec = z
  .object({
    ports: z.array(servicePort).optional().describe("The list of ports that are exposed by this service."),
    selector: z
      .record(z.string(), z.string())
      .optional()
      .describe("Route service traffic to pods with label keys and values matching this selector."),
    clusterIP: z.string().optional().describe("The IP address of the service, usually assigned randomly."),
    clusterIPs: z.array(z.string()).optional(),
    type: z
      .enum(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"])
      .optional()
      .describe("Determines how the Service is exposed. Defaults to ClusterIP."),
    externalIPs: z.array(z.string()).optional(),
    sessionAffinity: z.enum(["ClientIP", "None"]).optional(),
    loadBalancerIP: z.string().optional(),
    loadBalancerSourceRanges: z.array(z.string()).optional(),
    externalName: z.string().optional(),
    externalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
    healthCheckNodePort: z.number().int().optional(),
    publishNotReadyAddresses: z.boolean().optional(),
    sessionAffinityConfig: z
      .object({ clientIP: z.object({ timeoutSeconds: z.number().int().optional() }).optional() })
      .optional(),
    ipFamilies: z.array(z.enum(["IPv4", "IPv6"])).optional(),
    ipFamilyPolicy: z.enum(["SingleStack", "PreferDualStack", "RequireDualStack"]).optional(),
    allocateLoadBalancerNodePorts: z.boolean().optional(),
    loadBalancerClass: z.string().optional(),
    internalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
    trafficDistribution: z.string().optional(),
  })
  .meta({
    id: "io.k8s.api.core.v1.ServiceSpec",
    description: "ServiceSpec describes the attributes that a user creates on a service.",
  });

export const coreKinds: KindInfo[] = [
  defineKind({
    ...v1,
    kind: "Namespace",
    plural: "namespaces",
    namespaced: false,
    // kube serves no deletecollection for namespaces: DELETE /api/v1/namespaces is 405.
    verbs: STANDARD_VERBS.filter((v) => v !== "deletecollection"),
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
      // DefaultTolerationSeconds admission: tolerate an unready or unreachable node for five minutes.
      if (o.spec.tolerations === undefined || Array.isArray(o.spec.tolerations)) {
        const tol: any[] = (o.spec.tolerations ??= []);
        for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
          if (!tol.some((t) => t?.key === key || (t?.operator === "Exists" && !t?.key)))
            tol.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
        }
      }
      o.spec.priority ??= 0;
      o.status ??= {};
      if (o.status && typeof o.status === "object") {
        o.status.phase ??= "Pending";
        o.status.qosClass ??= qosClass(o.spec);
      }
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
      spec: serviceSpec.optional().describe("Spec defines the behavior of a service."),
      status: loose.optional(),
    },
    defaults: (o: any) => {
      o.spec ??= {};
      const s = o.spec;
      if (typeof s !== "object") return;
      s.type ??= "ClusterIP";
      s.sessionAffinity ??= "None";
      if (s.type !== "ExternalName") {
        s.ipFamilyPolicy ??= "SingleStack";
        s.ipFamilies ??= ["IPv4"];
        s.internalTrafficPolicy ??= "Cluster";
      }
      if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ??= "Cluster";
      if (s.type === "LoadBalancer") s.allocateLoadBalancerNodePorts ??= true;
      for (const p of Array.isArray(s.ports) ? s.ports : []) {
        if (!p || typeof p !== "object") continue;
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
      }
      o.status ??= { loadBalancer: {} };
    },
    validate: (o: any) => {
      const out: FieldError[] = [];
      const ports = Array.isArray(o.spec?.ports) ? o.spec.ports : [];
      if (o.spec?.type !== "ExternalName" && ports.length === 0 && o.spec?.clusterIP !== "None")
        out.push(required("spec.ports"));
      const names = new Set<string>();
      ports.forEach((p: any, i: number) => {
        if (ports.length > 1 && !p?.name) out.push(required(`spec.ports[${i}].name`));
        if (typeof p?.name !== "string" || !p.name) return;
        for (const e of nameErrors(p.name, "label")) out.push(invalid(`spec.ports[${i}].name`, p.name, e));
        if (names.has(p.name)) out.push(duplicate(`spec.ports[${i}].name`, p.name));
        names.add(p.name);
      });
      if (o.spec?.type === "ExternalName" && !o.spec?.externalName) out.push(required("spec.externalName"));
      out.push(...validateLabels(o.spec?.selector, "spec.selector"));
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
];
