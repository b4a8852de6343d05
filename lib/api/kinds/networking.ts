import { z } from "zod";
import type { KindInfo } from "../types.ts";
import { col, selectorString } from "./columns.ts";
import { defineKind } from "./define.ts";
import { labelSelectorSchema } from "./meta.ts";
import { intOrString, loose } from "./pod.ts";

// networking.k8s.io/v1 and discovery.k8s.io/v1.

const backend = z.object({
  service: z
    .object({
      name: z.string().describe("Name is the referenced service."),
      port: z.object({ name: z.string().optional(), number: z.number().int().optional() }).optional(),
    })
    .optional(),
  resource: loose.optional(),
});

const ingressSpec = z
  .object({
    ingressClassName: z.string().optional().describe("The name of an IngressClass cluster resource."),
    defaultBackend: backend
      .optional()
      .describe("The backend that should handle requests that match no rule."),
    tls: z
      .array(z.object({ hosts: z.array(z.string()).optional(), secretName: z.string().optional() }))
      .optional()
      .describe("TLS configuration."),
    rules: z
      .array(
        z.object({
          host: z.string().optional().describe("The fully qualified domain name of a network host."),
          http: z
            .object({
              paths: z.array(
                z.object({
                  path: z.string().optional(),
                  pathType: z.enum(["Exact", "Prefix", "ImplementationSpecific"]),
                  backend,
                }),
              ),
            })
            .optional(),
        }),
      )
      .optional()
      .describe("A list of host rules used to configure the Ingress."),
  })
  .meta({
    id: "io.k8s.api.networking.v1.IngressSpec",
    description: "IngressSpec describes the Ingress the user wishes to exist.",
  });

const peer = z.object({
  podSelector: labelSelectorSchema.optional(),
  namespaceSelector: labelSelectorSchema.optional(),
  ipBlock: z.object({ cidr: z.string(), except: z.array(z.string()).optional() }).optional(),
});
const npPort = z.object({
  protocol: z.enum(["TCP", "UDP", "SCTP"]).optional(),
  port: intOrString.optional(),
  endPort: z.number().int().optional(),
});

const networkPolicySpec = z
  .object({
    podSelector: labelSelectorSchema
      .optional()
      .describe("Selects the pods to which this NetworkPolicy object applies."),
    ingress: z
      .array(z.object({ ports: z.array(npPort).optional(), from: z.array(peer).optional() }))
      .optional(),
    egress: z.array(z.object({ ports: z.array(npPort).optional(), to: z.array(peer).optional() })).optional(),
    policyTypes: z.array(z.enum(["Ingress", "Egress"])).optional(),
  })
  .meta({
    id: "io.k8s.api.networking.v1.NetworkPolicySpec",
    description: "NetworkPolicySpec provides the specification of a NetworkPolicy",
  });

export const networkingKinds: KindInfo[] = [
  defineKind({
    group: "discovery.k8s.io",
    version: "v1",
    kind: "EndpointSlice",
    plural: "endpointslices",
    namespaced: true,
    description: "EndpointSlice represents a subset of the endpoints that implement a service.",
    fields: {
      addressType: z.enum(["IPv4", "IPv6", "FQDN"]),
      endpoints: z.array(loose).describe("A list of unique endpoints in this slice."),
      ports: z
        .array(
          z.object({
            name: z.string().optional(),
            protocol: z.enum(["TCP", "UDP", "SCTP"]).optional(),
            port: z.number().int().optional(),
            appProtocol: z.string().optional(),
          }),
        )
        .optional(),
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
      spec: ingressSpec.optional().describe("Spec is the desired state of the Ingress."),
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
    fields: {
      spec: z
        .object({
          controller: z
            .string()
            .optional()
            .describe("The name of the controller that should handle this class."),
          parameters: loose.optional(),
        })
        .optional(),
    },
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
    fields: { spec: networkPolicySpec.optional() },
    defaults: (o: any) => {
      const s = o.spec;
      if (!s || typeof s !== "object") return;
      s.podSelector ??= {};
      if (!s.policyTypes) s.policyTypes = Array.isArray(s.egress) ? ["Ingress", "Egress"] : ["Ingress"];
      for (const r of [
        ...(Array.isArray(s.ingress) ? s.ingress : []),
        ...(Array.isArray(s.egress) ? s.egress : []),
      ])
        for (const p of Array.isArray(r?.ports) ? r.ports : [])
          if (p && typeof p === "object") p.protocol ??= "TCP";
    },
    columns: [col("Pod-Selector", (o) => selectorString(o.spec?.podSelector).replace("<none>", ""))],
  }),
];
