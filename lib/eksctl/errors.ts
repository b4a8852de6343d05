import type { z } from "zod";

/** An eksctl error; the message is eksctl's wording, without cobra's "Error: " prefix. */
export class EksctlError extends Error {
  override name = "EksctlError";
}

export const fail = (message: string): never => {
  throw new EksctlError(message);
};

// Go struct names, so a decode error names the same type eksctl's would (encoding/json reports the innermost
// struct and the JSON path from the root).
const STRUCTS: Record<string, string> = {
  metadata: "ClusterMeta",
  nodeGroups: "NodeGroup",
  managedNodeGroups: "ManagedNodeGroup",
  vpc: "ClusterVPC",
  iam: "ClusterIAM",
  fargateProfiles: "FargateProfile",
  addons: "Addon",
  accessConfig: "AccessConfig",
  cloudWatch: "ClusterCloudWatch",
  kubernetesNetworkConfig: "KubernetesNetworkConfig",
  autoModeConfig: "AutoModeConfig",
  karpenter: "Karpenter",
};

const goType = (expected: string, path: (string | number)[]): string => {
  if (expected === "number") return path.at(-1) === "maxPrice" ? "float64" : "int";
  if (expected === "boolean") return "bool";
  if (expected === "array") return "[]string";
  if (expected === "object") return "map[string]string";
  return expected;
};

const jsonKind = (v: unknown): string => {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v;
};

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown => {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
};

/** The message of sigs.k8s.io/yaml's UnmarshalStrict for the first problem zod found. */
export function decodeMessage(error: z.ZodError, doc: unknown): string {
  const issue = error.issues[0]!;
  const prefix = "error unmarshaling JSON: while decoding JSON: json:";
  if (issue.code === "unrecognized_keys") return `${prefix} unknown field "${issue.keys[0]}"`;
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const named = path.filter((p): p is string => typeof p === "string");
  const struct = STRUCTS[named[0] ?? ""] ?? "ClusterConfig";
  const value = valueAt(doc, issue.path);
  const expected = "expected" in issue && typeof issue.expected === "string" ? issue.expected : "string";
  const kind = jsonKind(value);
  return `${prefix} cannot unmarshal ${kind} into Go struct field ${struct}.${named.join(".")} of type ${goType(expected, path)}`;
}
