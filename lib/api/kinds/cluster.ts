import { z } from "zod";
import type { KindInfo } from "../types.ts";
import { ageColumn, col } from "./columns.ts";
import { defineKind } from "./define.ts";
import { required } from "./meta.ts";
import { loose, quantity } from "./pod.ts";

// Cluster infrastructure and storage kinds of core/v1: nodes, volumes, claims, quotas and limits.

const v1 = { group: "", version: "v1" } as const;

export const clusterKinds: KindInfo[] = [
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
      col("Status", (o) => (o.metadata.deletionTimestamp ? "Terminating" : (o.status?.phase ?? ""))),
      col("Claim", (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : "")),
      col("StorageClass", (o) => o.spec?.storageClassName ?? ""),
      col("VolumeAttributesClass", (o) => o.spec?.volumeAttributesClassName ?? "<unset>"),
      col("Reason", (o) => o.status?.reason ?? ""),
      ageColumn,
      col("VolumeMode", (o) => o.spec?.volumeMode ?? "Filesystem", { priority: 1 }),
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
      // kubectl shows a claim or volume being deleted as Terminating, whatever its phase.
      col("Status", (o) => (o.metadata.deletionTimestamp ? "Terminating" : (o.status?.phase ?? ""))),
      col("Volume", (o) => o.spec?.volumeName ?? ""),
      col("Capacity", (o) => o.status?.capacity?.storage ?? ""),
      col("Access Modes", (o) => accessModes(o.status?.accessModes)),
      col("StorageClass", (o) => o.spec?.storageClassName ?? ""),
      col("VolumeAttributesClass", (o) => o.spec?.volumeAttributesClassName ?? "<unset>"),
      ageColumn,
      col("VolumeMode", (o) => o.spec?.volumeMode ?? "Filesystem", { priority: 1 }),
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
      ageColumn,
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
    columns: [col("Created At", (o) => o.metadata.creationTimestamp, { type: "date" })],
    age: false,
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
