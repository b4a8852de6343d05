import { z } from "zod";

// The core/v1 Container and the small types it embeds, modelled field by field (Kubernetes 1.32) because
// these are the fields manifests get wrong most often: a typo here must surface as an unknown field.

const core = (name: string) => `io.k8s.api.core.v1.${name}`;

export const loose = z.looseObject({});

export const intOrString = z.union([z.number().int(), z.string()]).meta({
  id: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
  description: "IntOrString is a type that can hold an int32 or a string.",
});

export const quantity = z.union([z.string(), z.number()]).meta({
  id: "io.k8s.apimachinery.pkg.api.resource.Quantity",
  description:
    "Quantity is a fixed-point representation of a number, e.g. '500m' CPU or '128Mi' memory, in JSON a string.",
});

const int = () => z.number().int();
const localRef = { name: z.string().optional().describe("Name of the referent.") };

const keySelector = z.object({
  ...localRef,
  key: z.string().describe("The key to select."),
  optional: z.boolean().optional().describe("Specify whether the referent or its key must be defined"),
});

export const envVarSchema = z
  .object({
    name: z.string().describe("Name of the environment variable. Must be a C_IDENTIFIER."),
    value: z
      .string()
      .optional()
      .describe(
        "Variable references $(VAR_NAME) are expanded using previously defined environment variables.",
      ),
    valueFrom: z
      .object({
        configMapKeyRef: keySelector.optional().describe("Selects a key of a ConfigMap."),
        secretKeyRef: keySelector.optional().describe("Selects a key of a secret in the pod's namespace"),
        fieldRef: z
          .object({ apiVersion: z.string().optional(), fieldPath: z.string() })
          .optional()
          .describe("Selects a field of the pod, e.g. metadata.name or status.podIP."),
        resourceFieldRef: z
          .object({
            containerName: z.string().optional(),
            resource: z.string(),
            divisor: quantity.optional(),
          })
          .optional()
          .describe("Selects a resource of the container: limits and requests."),
      })
      .optional()
      .describe("Source for the environment variable's value. Cannot be used if value is not empty."),
  })
  .meta({
    id: core("EnvVar"),
    description: "EnvVar represents an environment variable present in a Container.",
  });

const envFromSource = z.object({
  prefix: z.string().optional().describe("An optional identifier to prepend to each key."),
  configMapRef: z.object({ ...localRef, optional: z.boolean().optional() }).optional(),
  secretRef: z.object({ ...localRef, optional: z.boolean().optional() }).optional(),
});

export const containerPortSchema = z
  .object({
    name: z
      .string()
      .optional()
      .describe("If specified, this must be an IANA_SVC_NAME and unique within the pod."),
    containerPort: int().min(1).max(65535).describe("Number of port to expose on the pod's IP address."),
    hostPort: int().optional().describe("Number of port to expose on the host."),
    hostIP: z.string().optional().describe("What host IP to bind the external port to."),
    protocol: z
      .enum(["TCP", "UDP", "SCTP"])
      .optional()
      .describe('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
  })
  .meta({
    id: core("ContainerPort"),
    description: "ContainerPort represents a network port in a single container.",
  });

export const resourcesSchema = z
  .object({
    limits: z
      .record(z.string(), quantity)
      .optional()
      .describe("Limits describes the maximum amount of compute resources allowed."),
    requests: z
      .record(z.string(), quantity)
      .optional()
      .describe("Requests describes the minimum amount of compute resources required."),
    claims: z
      .array(z.object({ name: z.string(), request: z.string().optional() }))
      .optional()
      .describe(
        "Claims lists the names of resources, defined in spec.resourceClaims, used by this container.",
      ),
  })
  .meta({
    id: core("ResourceRequirements"),
    description: "ResourceRequirements describes the compute resource requirements.",
  });

const httpGet = z.object({
  path: z.string().optional().describe("Path to access on the HTTP server."),
  port: intOrString.describe("Name or number of the port to access on the container."),
  host: z.string().optional(),
  scheme: z.enum(["HTTP", "HTTPS"]).optional(),
  httpHeaders: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
const tcpSocket = z.object({ port: intOrString, host: z.string().optional() });
const exec = z.object({ command: z.array(z.string()).optional() });

const handler = z.object({
  exec: exec.optional(),
  httpGet: httpGet.optional(),
  tcpSocket: tcpSocket.optional(),
  sleep: z.object({ seconds: int() }).optional(),
});

export const probeSchema = z
  .object({
    exec: exec.optional().describe("Exec specifies a command to execute in the container."),
    httpGet: httpGet.optional().describe("HTTPGet specifies an HTTP GET request to perform."),
    tcpSocket: tcpSocket.optional().describe("TCPSocket specifies a connection to a TCP port."),
    grpc: z.object({ port: int(), service: z.string().optional() }).optional(),
    initialDelaySeconds: int().min(0).optional(),
    timeoutSeconds: int().min(0).optional().describe("Number of seconds after which the probe times out."),
    periodSeconds: int().min(0).optional().describe("How often (in seconds) to perform the probe."),
    successThreshold: int().min(0).optional(),
    failureThreshold: int().min(0).optional(),
    terminationGracePeriodSeconds: int().optional(),
  })
  .meta({
    id: core("Probe"),
    description:
      "Probe describes a health check to be performed against a container to determine whether it is alive or ready.",
  });

const seLinuxOptions = z.object({
  user: z.string().optional(),
  role: z.string().optional(),
  type: z.string().optional(),
  level: z.string().optional(),
});
const windowsOptions = z.object({
  gmsaCredentialSpecName: z.string().optional(),
  gmsaCredentialSpec: z.string().optional(),
  runAsUserName: z.string().optional(),
  hostProcess: z.boolean().optional(),
});
const profile = z.object({
  type: z.enum(["RuntimeDefault", "Unconfined", "Localhost"]),
  localhostProfile: z.string().optional(),
});

/** Fields PodSecurityContext and SecurityContext share. */
export const securityCommon = {
  seLinuxOptions: seLinuxOptions.optional(),
  windowsOptions: windowsOptions.optional(),
  runAsUser: int().optional().describe("The UID to run the entrypoint of the container process."),
  runAsGroup: int().optional(),
  runAsNonRoot: z.boolean().optional().describe("Indicates that the container must run as a non-root user."),
  seccompProfile: profile.optional(),
  appArmorProfile: profile.optional(),
};

export const securityContextSchema = z
  .object({
    ...securityCommon,
    capabilities: z
      .object({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() })
      .optional()
      .describe("The capabilities to add/drop when running containers."),
    privileged: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
    procMount: z.string().optional(),
  })
  .meta({
    id: core("SecurityContext"),
    description: "SecurityContext holds security configuration that will be applied to a container.",
  });

export const volumeMountSchema = z
  .object({
    name: z.string().describe("This must match the Name of a Volume."),
    mountPath: z.string().describe("Path within the container at which the volume should be mounted."),
    readOnly: z.boolean().optional(),
    recursiveReadOnly: z.enum(["Disabled", "IfPossible", "Enabled"]).optional(),
    subPath: z
      .string()
      .optional()
      .describe("Path within the volume from which the container's volume should be mounted."),
    subPathExpr: z.string().optional(),
    mountPropagation: z.enum(["None", "HostToContainer", "Bidirectional"]).optional(),
  })
  .meta({
    id: core("VolumeMount"),
    description: "VolumeMount describes a mounting of a Volume within a container.",
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
    workingDir: z.string().optional().describe("Container's working directory."),
    ports: z.array(containerPortSchema).optional().describe("List of ports to expose from the container."),
    envFrom: z.array(envFromSource).optional().describe("List of sources to populate environment variables."),
    env: z.array(envVarSchema).optional().describe("List of environment variables to set in the container."),
    resources: resourcesSchema.optional().describe("Compute Resources required by this container."),
    resizePolicy: z.array(z.object({ resourceName: z.string(), restartPolicy: z.string() })).optional(),
    restartPolicy: z
      .enum(["Always"])
      .optional()
      .describe("Only settable on init containers: Always makes it a restartable sidecar."),
    volumeMounts: z
      .array(volumeMountSchema)
      .optional()
      .describe("Pod volumes to mount into the container's filesystem."),
    volumeDevices: z.array(z.object({ name: z.string(), devicePath: z.string() })).optional(),
    livenessProbe: probeSchema.optional().describe("Periodic probe of container liveness."),
    readinessProbe: probeSchema.optional().describe("Periodic probe of container service readiness."),
    startupProbe: probeSchema
      .optional()
      .describe("StartupProbe indicates that the Pod has successfully initialized."),
    lifecycle: z
      .object({ postStart: handler.optional(), preStop: handler.optional() })
      .optional()
      .describe("Actions that the management system should take in response to container lifecycle events."),
    terminationMessagePath: z.string().optional(),
    terminationMessagePolicy: z.enum(["File", "FallbackToLogsOnError"]).optional(),
    imagePullPolicy: z
      .enum(["Always", "Never", "IfNotPresent"])
      .optional()
      .describe("Image pull policy. One of Always, Never, IfNotPresent."),
    securityContext: securityContextSchema
      .optional()
      .describe("Security options the container should be run with."),
    stdin: z.boolean().optional(),
    stdinOnce: z.boolean().optional(),
    tty: z.boolean().optional(),
  })
  .meta({
    id: core("Container"),
    description: "A single application container that you want to run within a pod.",
  });
