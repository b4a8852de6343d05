import { z } from "zod";
import { containerSchema, intOrString, loose, quantity, securityCommon } from "./container.ts";
import { labelSelectorSchema, objectMetaSchema } from "./meta.ts";

// PodSpec and PodTemplateSpec, which every workload kind embeds, with the scheduling types users write by hand.

const core = (name: string) => `io.k8s.api.core.v1.${name}`;
const int = () => z.number().int();

const nodeSelectorRequirement = z.object({
  key: z.string(),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
  values: z.array(z.string()).optional(),
});
const nodeSelectorTerm = z.object({
  matchExpressions: z.array(nodeSelectorRequirement).optional(),
  matchFields: z.array(nodeSelectorRequirement).optional(),
});
const podAffinityTerm = z.object({
  labelSelector: labelSelectorSchema.optional(),
  namespaceSelector: labelSelectorSchema.optional(),
  namespaces: z.array(z.string()).optional(),
  topologyKey: z.string(),
  matchLabelKeys: z.array(z.string()).optional(),
  mismatchLabelKeys: z.array(z.string()).optional(),
});
const podAffinity = z.object({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z
    .array(z.object({ weight: int().min(1).max(100), podAffinityTerm }))
    .optional(),
});

export const affinitySchema = z
  .object({
    nodeAffinity: z
      .object({
        requiredDuringSchedulingIgnoredDuringExecution: z
          .object({ nodeSelectorTerms: z.array(nodeSelectorTerm) })
          .optional(),
        preferredDuringSchedulingIgnoredDuringExecution: z
          .array(z.object({ weight: int().min(1).max(100), preference: nodeSelectorTerm }))
          .optional(),
      })
      .optional()
      .describe("Describes node affinity scheduling rules for the pod."),
    podAffinity: podAffinity.optional().describe("Describes pod affinity scheduling rules."),
    podAntiAffinity: podAffinity.optional().describe("Describes pod anti-affinity scheduling rules."),
  })
  .meta({ id: core("Affinity"), description: "Affinity is a group of affinity scheduling rules." });

export const tolerationSchema = z
  .object({
    key: z.string().optional().describe("Key is the taint key that the toleration applies to."),
    operator: z
      .enum(["Exists", "Equal"])
      .optional()
      .describe("Operator represents a key's relationship to the value."),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: int().optional(),
  })
  .meta({
    id: core("Toleration"),
    description:
      "The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>.",
  });

export const topologySpreadSchema = z
  .object({
    maxSkew: int().min(1).describe("Describes the degree to which pods may be unevenly distributed."),
    topologyKey: z.string().describe("The key of node labels."),
    whenUnsatisfiable: z.enum(["DoNotSchedule", "ScheduleAnyway"]),
    labelSelector: labelSelectorSchema.optional(),
    minDomains: int().optional(),
    nodeAffinityPolicy: z.enum(["Honor", "Ignore"]).optional(),
    nodeTaintsPolicy: z.enum(["Honor", "Ignore"]).optional(),
    matchLabelKeys: z.array(z.string()).optional(),
  })
  .meta({
    id: core("TopologySpreadConstraint"),
    description: "TopologySpreadConstraint specifies how to spread matching pods among the given topology.",
  });

const keyToPath = z.object({ key: z.string(), path: z.string(), mode: int().optional() });

// The common volume sources are modelled; the many legacy/driver-specific ones are kept as given.
const LOOSE_SOURCES = [
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "nfs",
  "iscsi",
  "glusterfs",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "projected",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
  "ephemeral",
  "image",
];

export const volumeSchema = z
  .object({
    name: z.string().describe("Name of the volume. Must be a DNS_LABEL and unique within the pod."),
    configMap: z
      .object({
        name: z.string().optional(),
        items: z.array(keyToPath).optional(),
        defaultMode: int().optional(),
        optional: z.boolean().optional(),
      })
      .optional()
      .describe("configMap represents a configMap that should populate this volume"),
    secret: z
      .object({
        secretName: z.string().optional(),
        items: z.array(keyToPath).optional(),
        defaultMode: int().optional(),
        optional: z.boolean().optional(),
      })
      .optional()
      .describe("secret represents a secret that should populate this volume."),
    emptyDir: z
      .object({ medium: z.string().optional(), sizeLimit: quantity.optional() })
      .optional()
      .describe("emptyDir represents a temporary directory that shares a pod's lifetime."),
    hostPath: z
      .object({ path: z.string(), type: z.string().optional() })
      .optional()
      .describe("hostPath represents a pre-existing file or directory on the host machine."),
    persistentVolumeClaim: z
      .object({ claimName: z.string(), readOnly: z.boolean().optional() })
      .optional()
      .describe("persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim."),
    ...Object.fromEntries(LOOSE_SOURCES.map((s) => [s, loose.optional()])),
  })
  .meta({
    id: core("Volume"),
    description:
      "Volume represents a named volume in a pod that may be accessed by any container in the pod.",
  });

const podSecurityContext = z
  .object({
    ...securityCommon,
    supplementalGroups: z.array(int()).optional(),
    supplementalGroupsPolicy: z.enum(["Merge", "Strict"]).optional(),
    fsGroup: int()
      .optional()
      .describe("A special supplemental group that applies to all containers in a pod."),
    fsGroupChangePolicy: z.enum(["OnRootMismatch", "Always"]).optional(),
    sysctls: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    seLinuxChangePolicy: z.string().optional(),
  })
  .meta({
    id: core("PodSecurityContext"),
    description: "PodSecurityContext holds pod-level security attributes and common container settings.",
  });

const named = z.object({ name: z.string().optional() });

export const podSpecSchema = z
  .object({
    activeDeadlineSeconds: int().min(1).optional(),
    affinity: affinitySchema.optional().describe("If specified, the pod's scheduling constraints"),
    automountServiceAccountToken: z.boolean().optional(),
    containers: z.array(containerSchema).min(1).describe("List of containers belonging to the pod."),
    dnsConfig: z
      .object({
        nameservers: z.array(z.string()).optional(),
        searches: z.array(z.string()).optional(),
        options: z.array(z.object({ name: z.string().optional(), value: z.string().optional() })).optional(),
      })
      .optional(),
    dnsPolicy: z
      .enum(["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"])
      .optional()
      .describe('Set DNS policy for the pod. Defaults to "ClusterFirst".'),
    enableServiceLinks: z.boolean().optional(),
    ephemeralContainers: z.array(loose).optional(),
    hostAliases: z.array(z.object({ ip: z.string(), hostnames: z.array(z.string()).optional() })).optional(),
    hostIPC: z.boolean().optional(),
    hostNetwork: z.boolean().optional().describe("Host networking requested for this pod."),
    hostPID: z.boolean().optional(),
    hostUsers: z.boolean().optional(),
    hostname: z.string().optional(),
    imagePullSecrets: z
      .array(named)
      .optional()
      .describe("References to secrets in the same namespace to use for pulling any of the images."),
    initContainers: z
      .array(containerSchema)
      .optional()
      .describe(
        "List of initialization containers belonging to the pod, run in order before the app containers.",
      ),
    nodeName: z.string().optional().describe("A request to schedule this pod onto a specific node."),
    nodeSelector: z
      .record(z.string(), z.string())
      .optional()
      .describe("A selector which must be true for the pod to fit on a node."),
    os: z.object({ name: z.string() }).optional(),
    overhead: z.record(z.string(), quantity).optional(),
    preemptionPolicy: z.enum(["PreemptLowerPriority", "Never"]).optional(),
    priority: int().optional(),
    priorityClassName: z.string().optional(),
    readinessGates: z.array(z.object({ conditionType: z.string() })).optional(),
    resourceClaims: z.array(loose).optional(),
    resources: loose.optional(),
    restartPolicy: z
      .enum(["Always", "OnFailure", "Never"])
      .optional()
      .describe("Restart policy for all containers within the pod. One of Always, OnFailure, Never."),
    runtimeClassName: z.string().optional(),
    schedulerName: z.string().optional(),
    schedulingGates: z.array(z.object({ name: z.string() })).optional(),
    securityContext: podSecurityContext
      .optional()
      .describe("SecurityContext holds pod-level security attributes and common container settings."),
    serviceAccount: z.string().optional().describe("Deprecated alias for serviceAccountName."),
    serviceAccountName: z.string().optional().describe("Name of the ServiceAccount to use to run this pod."),
    setHostnameAsFQDN: z.boolean().optional(),
    shareProcessNamespace: z.boolean().optional(),
    subdomain: z.string().optional(),
    terminationGracePeriodSeconds: int()
      .min(0)
      .optional()
      .describe("Duration in seconds the pod needs to terminate gracefully."),
    tolerations: z.array(tolerationSchema).optional().describe("If specified, the pod's tolerations."),
    topologySpreadConstraints: z
      .array(topologySpreadSchema)
      .optional()
      .describe("How a group of pods ought to spread across topology domains."),
    volumes: z
      .array(volumeSchema)
      .optional()
      .describe("List of volumes that can be mounted by containers belonging to the pod."),
  })
  .meta({ id: core("PodSpec"), description: "PodSpec is a description of a pod." });

export const podTemplateSchema = z
  .object({
    metadata: objectMetaSchema.optional().describe("Standard object's metadata."),
    spec: podSpecSchema.describe("Specification of the desired behavior of the pod."),
  })
  .meta({
    id: core("PodTemplateSpec"),
    description: "PodTemplateSpec describes the data a pod should have when created from a template",
  });

export { intOrString, loose, quantity };
