// Which lists merge by key (the patchMergeKey of the Kubernetes Go types). Lists without a key are atomic:
// a patch or an apply replaces them whole. Primitive "set" lists (finalizers) merge as unions.

const KEYED: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
  schedulingGates: "name",
  readinessGates: "conditionType",
};

const PRIMITIVE_SETS = new Set(["finalizers"]);

/** The merge key of list `field`, looking at its elements where the key depends on context (ports). */
export function mergeKeyFor(field: string, ...lists: unknown[][]): string | undefined {
  if (field === "ports") {
    for (const l of lists)
      for (const e of l ?? []) if (e && typeof e === "object" && "containerPort" in e) return "containerPort";
    for (const l of lists)
      for (const e of l ?? []) if (e && typeof e === "object" && "port" in e) return "port";
    return undefined;
  }
  return KEYED[field];
}

export function isPrimitiveSet(field: string): boolean {
  return PRIMITIVE_SETS.has(field);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
