import { z } from "zod";
import type { KindInfo, TableColumn } from "../types.ts";
import { ageColumn, col } from "./columns.ts";
import { defineKind } from "./define.ts";

// rbac.authorization.k8s.io/v1. RBAC names are path segments, not DNS names (e.g. "system:node").

const rbac = { group: "rbac.authorization.k8s.io", version: "v1" } as const;

const policyRule = z
  .object({
    verbs: z
      .array(z.string())
      .describe("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule."),
    apiGroups: z
      .array(z.string())
      .optional()
      .describe("The name of the APIGroup that contains the resources."),
    resources: z
      .array(z.string())
      .optional()
      .describe("A list of resources this rule applies to. '*' represents all resources."),
    resourceNames: z.array(z.string()).optional(),
    nonResourceURLs: z.array(z.string()).optional(),
  })
  .meta({
    id: "io.k8s.api.rbac.v1.PolicyRule",
    description: "PolicyRule holds information that describes a policy rule.",
  });
const roleRef = z
  .object({ apiGroup: z.string(), kind: z.string(), name: z.string() })
  .describe(
    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
  );
const subject = z.object({
  kind: z.string().describe('Kind of object being referenced: "User", "Group", and "ServiceAccount".'),
  apiGroup: z.string().optional(),
  name: z.string(),
  namespace: z.string().optional(),
});
const aggregationRule = z.object({
  clusterRoleSelectors: z.array(z.looseObject({})).optional(),
});

const subjectColumns: TableColumn[] = [
  col(
    "Users",
    (o) =>
      (o.subjects ?? [])
        .filter((s: any) => s.kind === "User")
        .map((s: any) => s.name)
        .join(", "),
    { priority: 1 },
  ),
  col(
    "Groups",
    (o) =>
      (o.subjects ?? [])
        .filter((s: any) => s.kind === "Group")
        .map((s: any) => s.name)
        .join(", "),
    { priority: 1 },
  ),
  col(
    "ServiceAccounts",
    (o) =>
      (o.subjects ?? [])
        .filter((s: any) => s.kind === "ServiceAccount")
        .map((s: any) => `${s.namespace}/${s.name}`)
        .join(", "),
    { priority: 1 },
  ),
];

export const rbacKinds: KindInfo[] = [
  defineKind({
    ...rbac,
    kind: "Role",
    plural: "roles",
    namespaced: true,
    nameRule: "path",
    description: "Role is a namespaced, logical grouping of PolicyRules.",
    fields: { rules: z.array(policyRule).optional() },
    columns: [col("Created At", (o) => o.metadata.creationTimestamp, { type: "date" })],
    age: false,
  }),
  defineKind({
    ...rbac,
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
    nameRule: "path",
    description: "ClusterRole is a cluster level, logical grouping of PolicyRules.",
    fields: { rules: z.array(policyRule).optional(), aggregationRule: aggregationRule.optional() },
    columns: [col("Created At", (o) => o.metadata.creationTimestamp, { type: "date" })],
    age: false,
  }),
  defineKind({
    ...rbac,
    kind: "RoleBinding",
    plural: "rolebindings",
    namespaced: true,
    nameRule: "path",
    description: "RoleBinding references a role, but does not contain it.",
    fields: { roleRef, subjects: z.array(subject).optional() },
    columns: [col("Role", (o) => `${o.roleRef?.kind}/${o.roleRef?.name}`), ageColumn, ...subjectColumns],
  }),
  defineKind({
    ...rbac,
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
    nameRule: "path",
    description: "ClusterRoleBinding references a ClusterRole, but does not contain it.",
    fields: { roleRef, subjects: z.array(subject).optional() },
    columns: [col("Role", (o) => `${o.roleRef?.kind}/${o.roleRef?.name}`), ageColumn, ...subjectColumns],
  }),
];
