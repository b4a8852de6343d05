import { z } from "zod";
import { associatedPolicyOut, entryOf } from "../access-entries.ts";
import { AUTO_NODE_POLICY_ARN, isAccessPolicyArn } from "../access-policies-list.ts";
import { eksErrors } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";
import type { AccessScopeDoc } from "../repo.ts";
import { parseWith } from "../validate.ts";

// AssociateAccessPolicy (POST /clusters/{name}/access-entries/{principalArn}/access-policies). A policy is
// associated once per entry: associating it again replaces its scope (eks-auth.md §6). There is no
// clientRequestToken; the call is idempotent by nature.

const Body = z.object({
  policyArn: z.string().min(1),
  accessScope: z.object({
    type: z.enum(["cluster", "namespace"]),
    namespaces: z.array(z.string()).optional(),
  }),
});

/** A namespace name, or a prefix ending in the `*` wildcard EKS accepts (`dev-*`). */
const NAMESPACE = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?|[a-z0-9][-a-z0-9]*\*)$/;

function scopeOf(cluster: string, scope: z.infer<typeof Body>["accessScope"]): AccessScopeDoc {
  const invalid = (m: string) => eksErrors.invalidParameter(m, { clusterName: cluster });
  const namespaces = [...new Set(scope.namespaces ?? [])];
  if (scope.type === "cluster") {
    if (namespaces.length > 0)
      throw invalid("Namespaces can't be specified when the accessScope type is cluster.");
    return { type: "cluster", namespaces: [] };
  }
  if (namespaces.length === 0)
    throw invalid("At least one namespace must be specified when the accessScope type is namespace.");
  for (const ns of namespaces)
    if (ns.length > 63 || !NAMESPACE.test(ns)) throw invalid(`The namespace ${ns} is not valid.`);
  return { type: "namespace", namespaces };
}

export const associateAccessPolicy: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const invalid = (m: string) => eksErrors.invalidParameter(m, { clusterName: cluster });
  const body = parseWith(Body, req.body, invalid);
  const { result } = await mutateCluster(ctx, cluster, (doc) => {
    const entry = entryOf(doc, req.params.principalArn);
    // Auto Mode's node entries (type EC2) take the one policy made for them; other node types take none.
    const allowed =
      entry.type === "STANDARD" || (entry.type === "EC2" && body.policyArn === AUTO_NODE_POLICY_ARN);
    if (!allowed)
      throw invalid('This operation can only be performed on Access Entries with a type of "STANDARD".');
    if (!isAccessPolicyArn(body.policyArn))
      throw invalid(`The policyArn ${body.policyArn} is not a valid access policy.`);
    const accessScope = scopeOf(cluster, body.accessScope);
    const now = nowMs(ctx);
    const prior = entry.policies[body.policyArn];
    entry.policies[body.policyArn] = {
      accessScope,
      associatedAt: prior?.associatedAt ?? now,
      modifiedAt: now,
    };
    return entry;
  });
  return {
    clusterName: cluster,
    principalArn: result.principalArn,
    associatedAccessPolicy: associatedPolicyOut(body.policyArn, result),
  };
};
