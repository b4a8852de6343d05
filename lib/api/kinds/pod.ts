import { z } from "zod";
import type { FieldError, KubeObject } from "../types.ts";
import { age, col } from "./columns.ts";
import { invalid, nameErrors, objectMetaSchema } from "./meta.ts";

// Pods and the pieces every workload kind embeds (containers, PodSpec, PodTemplateSpec).

const any = z.unknown();
const loose = z.looseObject({});
const intOrString = z.union([z.number().int(), z.string()]);
const quantity = z.union([z.string(), z.number()]);

const port = z.object({
  name: z
    .string()
    .optional()
    .describe("If specified, this must be an IANA_SVC_NAME and unique within the pod."),
  containerPort: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .describe("Number of port to expose on the pod's IP address."),
  hostPort: z.number().int().optional(),
  hostIP: z.string().optional(),
  protocol: z
    .enum(["TCP", "UDP", "SCTP"])
    .optional()
    .describe('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
});

const envVar = z.object({
  name: z.string().min(1).describe("Name of the environment variable."),
  value: z
    .string()
    .optional()
    .describe("Variable references $(VAR_NAME) are expanded using previously defined environment variables."),
  valueFrom: loose
    .optional()
    .describe(
      "Source for the environment variable's value (configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef).",
    ),
});

const resources = z.object({
  limits: z
    .record(z.string(), quantity)
    .optional()
    .describe("Limits describes the maximum amount of compute resources allowed."),
  requests: z
    .record(z.string(), quantity)
    .optional()
    .describe("Requests describes the minimum amount of compute resources required."),
  claims: z.array(loose).optional(),
});

const probe = z.looseObject({
  initialDelaySeconds: z.number().int().min(0).optional(),
  periodSeconds: z.number().int().min(1).optional(),
  timeoutSeconds: z.number().int().min(1).optional(),
  successThreshold: z.number().int().min(1).optional(),
  failureThreshold: z.number().int().min(1).optional(),
});

export const containerSchema = z
  .object({
    name: z
      .string()
      .describe(
        "Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name.",
      ),
    image: z.string().describe("Container image name."),
    command: z.array(z.string()).optional().describe("Entrypoint array. Not executed within a shell."),
    args: z.array(z.string()).optional().describe("Arguments to the entrypoint."),
    workingDir: z.string().optional(),
    ports: z.array(port).optional().describe("List of ports to expose from the container."),
    envFrom: z.array(loose).optional(),
    env: z.array(envVar).optional().describe("List of environment variables to set in the container."),
    resources: resources.optional().describe("Compute Resources required by this container."),
    resizePolicy: z.array(loose).optional(),
    restartPolicy: z.string().optional(),
    volumeMounts: z
      .array(z.looseObject({ name: z.string(), mountPath: z.string() }))
      .optional()
      .describe("Pod volumes to mount into the container's filesystem."),
    volumeDevices: z.array(loose).optional(),
    livenessProbe: probe.optional().describe("Periodic probe of container liveness."),
    readinessProbe: probe.optional().describe("Periodic probe of container service readiness."),
    startupProbe: probe.optional(),
    lifecycle: loose.optional(),
    terminationMessagePath: z.string().optional(),
    terminationMessagePolicy: z.enum(["File", "FallbackToLogsOnError"]).optional(),
    imagePullPolicy: z
      .enum(["Always", "Never", "IfNotPresent"])
      .optional()
      .describe("Image pull policy. One of Always, Never, IfNotPresent."),
    securityContext: loose.optional(),
    stdin: z.boolean().optional(),
    stdinOnce: z.boolean().optional(),
    tty: z.boolean().optional(),
  })
  .describe("A single application container that you want to run within a pod.");

export const podSpecSchema = z
  .object({
    activeDeadlineSeconds: z.number().int().optional(),
    affinity: loose
      .optional()
      .describe(
        "If specified, the pod's scheduling constraints (nodeAffinity, podAffinity, podAntiAffinity).",
      ),
    automountServiceAccountToken: z.boolean().optional(),
    containers: z.array(containerSchema).min(1).describe("List of containers belonging to the pod."),
    dnsConfig: loose.optional(),
    dnsPolicy: z.enum(["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]).optional(),
    enableServiceLinks: z.boolean().optional(),
    ephemeralContainers: z.array(loose).optional(),
    hostAliases: z.array(loose).optional(),
    hostIPC: z.boolean().optional(),
    hostNetwork: z.boolean().optional(),
    hostPID: z.boolean().optional(),
    hostUsers: z.boolean().optional(),
    hostname: z.string().optional(),
    imagePullSecrets: z.array(loose).optional(),
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
    os: loose.optional(),
    overhead: z.record(z.string(), quantity).optional(),
    preemptionPolicy: z.string().optional(),
    priority: z.number().int().optional(),
    priorityClassName: z.string().optional(),
    readinessGates: z.array(loose).optional(),
    resourceClaims: z.array(loose).optional(),
    resources: loose.optional(),
    restartPolicy: z
      .enum(["Always", "OnFailure", "Never"])
      .optional()
      .describe("Restart policy for all containers within the pod. One of Always, OnFailure, Never."),
    runtimeClassName: z.string().optional(),
    schedulerName: z.string().optional(),
    schedulingGates: z.array(loose).optional(),
    securityContext: loose.optional(),
    serviceAccount: z.string().optional(),
    serviceAccountName: z.string().optional().describe("Name of the ServiceAccount to use to run this pod."),
    setHostnameAsFQDN: z.boolean().optional(),
    shareProcessNamespace: z.boolean().optional(),
    subdomain: z.string().optional(),
    terminationGracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Duration in seconds the pod needs to terminate gracefully."),
    tolerations: z.array(loose).optional().describe("If specified, the pod's tolerations."),
    topologySpreadConstraints: z
      .array(loose)
      .optional()
      .describe("How a group of pods ought to spread across topology domains."),
    volumes: z
      .array(z.looseObject({ name: z.string() }))
      .optional()
      .describe("List of volumes that can be mounted by containers belonging to the pod."),
  })
  .describe("PodSpec is a description of a pod.");

export const podTemplateSchema = z
  .object({ metadata: objectMetaSchema.optional(), spec: podSpecSchema })
  .describe("PodTemplateSpec describes the data a pod should have when created from a template.");

export const podStatusSchema = z.looseObject({}).describe("Most recently observed status of the pod.");
export { any, intOrString, loose, quantity };

function defaultContainer(c: Record<string, any>): void {
  if (!c.imagePullPolicy && typeof c.image === "string") {
    const last = c.image.split("/").pop() ?? "";
    const tag = last.includes("@") ? "digest" : last.includes(":") ? last.split(":").pop() : "latest";
    c.imagePullPolicy = tag === "latest" ? "Always" : "IfNotPresent";
  }
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
  for (const pr of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!pr) continue;
    pr.timeoutSeconds ??= 1;
    pr.periodSeconds ??= 10;
    pr.successThreshold ??= 1;
    pr.failureThreshold ??= 3;
  }
}

/** PodSpec defaults, as the apiserver's SetDefaults_PodSpec and SetDefaults_Container apply them. */
export function defaultPodSpec(spec: Record<string, any> | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])])
    if (c && typeof c === "object") defaultContainer(c);
}

export function validatePodSpec(spec: Record<string, any> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!spec) return out;
  const seen = new Set<string>();
  const all: [string, Record<string, any>[]][] = [
    ["containers", spec.containers ?? []],
    ["initContainers", spec.initContainers ?? []],
  ];
  for (const [list, cs] of all) {
    cs.forEach((c, i) => {
      const f = `${path}.${list}[${i}].name`;
      if (typeof c.name === "string") {
        for (const e of nameErrors(c.name, "label")) out.push(invalid(f, c.name, e));
        if (seen.has(c.name))
          out.push({
            type: "FieldValueDuplicate",
            field: f,
            message: `Duplicate value: ${JSON.stringify(c.name)}`,
          });
        seen.add(c.name);
      }
    });
  }
  const vols = new Set<string>();
  (spec.volumes ?? []).forEach((v: Record<string, any>, i: number) => {
    if (vols.has(v.name))
      out.push({
        type: "FieldValueDuplicate",
        field: `${path}.volumes[${i}].name`,
        message: `Duplicate value: ${JSON.stringify(v.name)}`,
      });
    vols.add(v.name);
  });
  return out;
}

function containerStates(o: KubeObject): { ready: number; total: number; restarts: number; reason?: string } {
  const statuses = ((o.status as any)?.containerStatuses ?? []) as any[];
  const total = ((o.spec as any)?.containers ?? []).length;
  let ready = 0;
  let restarts = 0;
  let reason: string | undefined;
  for (const s of statuses) {
    if (s.ready) ready++;
    restarts += s.restartCount ?? 0;
    const r = s.state?.waiting?.reason ?? s.state?.terminated?.reason;
    if (r && !reason) reason = r;
  }
  return { ready, total, restarts, reason };
}

export const podColumns = [
  col(
    "Ready",
    (o) => {
      const s = containerStates(o);
      return `${s.ready}/${s.total}`;
    },
    { description: "The aggregate readiness state of this pod for accepting traffic." },
  ),
  col(
    "Status",
    (o) => {
      if (o.metadata.deletionTimestamp) return "Terminating";
      const s = containerStates(o);
      return s.reason ?? o.status?.reason ?? o.status?.phase ?? "Pending";
    },
    { description: "The aggregate status of the containers in this pod." },
  ),
  col("Restarts", (o) => String(containerStates(o).restarts), {
    description: "The number of times the containers in this pod have been restarted.",
  }),
];

export const podWideColumns = [
  col("IP", (o) => o.status?.podIP ?? "<none>", {
    priority: 1,
    description: "The IP address assigned to the pod.",
  }),
  col("Node", (o) => o.spec?.nodeName ?? "<none>", {
    priority: 1,
    description: "The name of the node the pod is assigned to.",
  }),
  col("Nominated Node", (o) => o.status?.nominatedNodeName ?? "<none>", { priority: 1 }),
  col(
    "Readiness Gates",
    (o) => (o.spec?.readinessGates?.length ? String(o.spec.readinessGates.length) : "<none>"),
    { priority: 1 },
  ),
];

export function containersAndImages(spec: any): { containers: string; images: string } {
  const cs = (spec?.containers ?? []) as { name: string; image: string }[];
  return { containers: cs.map((c) => c.name).join(","), images: cs.map((c) => c.image).join(",") };
}

export { age };
