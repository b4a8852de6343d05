// aws-auth identity mappings and EKS Pod Identity associations in a plan. Mappings are keyed by ARN (or
// account); the node-role rows EKS and eksctl write for node groups are never removed for being absent from
// the file. Associations are keyed by namespace/service account; the role changes in place, and those an
// add-on owns are the add-on's business.
import type { CreatePodIdentityAssociationRequest, PodIdentityAssociation } from "@aws-sdk/client-eks";
import type { Diff, IdentityMapping, PlanStep } from "./plan-types.ts";
import { change, sameSet } from "./plan-util.ts";

const NODE_GROUPS = ["system:nodes", "system:bootstrappers"];

const mappingKey = (m: IdentityMapping) => (m.arn ? m.arn : `account:${m.account ?? ""}`);

export function planIdentityMappings(
  cluster: string,
  want: IdentityMapping[],
  have: IdentityMapping[],
): { upserts: Diff; removes: Diff } {
  const current = new Map(have.map((m) => [mappingKey(m), m]));
  const wanted = new Set(want.map(mappingKey));
  const upserts: PlanStep[] = [];
  for (const m of want) {
    const key = mappingKey(m);
    const h = current.get(key);
    if (!h) {
      upserts.push({
        resource: "iamidentitymapping",
        action: "create",
        name: key,
        changes: [
          m.account !== undefined && !m.arn
            ? `account ${m.account}`
            : `username ${JSON.stringify(m.username ?? "")}, groups [${(m.groups ?? []).join(",")}]`,
        ],
        calls: [{ op: "PutIdentityMapping", cluster, mapping: m }],
      });
      continue;
    }
    const changes: string[] = [];
    if (m.username !== undefined && m.username !== h.username)
      changes.push(change("username", h.username, m.username));
    if (m.arn && !sameSet(m.groups, h.groups)) changes.push(change("groups", h.groups ?? [], m.groups ?? []));
    if (changes.length)
      upserts.push({
        resource: "iamidentitymapping",
        action: "update",
        name: key,
        changes,
        calls: [{ op: "PutIdentityMapping", cluster, mapping: m }],
      });
  }
  const removes: PlanStep[] = have
    .filter((m) => !wanted.has(mappingKey(m)) && !(m.groups ?? []).some((g) => NODE_GROUPS.includes(g)))
    .map((m) => ({
      resource: "iamidentitymapping",
      action: "delete",
      name: mappingKey(m),
      changes: ["not in the file"],
      calls: [{ op: "RemoveIdentityMapping", cluster, mapping: m }],
    }));
  return { upserts: { steps: upserts, refusals: [] }, removes: { steps: removes, refusals: [] } };
}

const podKey = (a: { namespace?: string; serviceAccount?: string }) => `${a.namespace}/${a.serviceAccount}`;

export function planPodIdentity(
  cluster: string,
  want: CreatePodIdentityAssociationRequest[],
  have: PodIdentityAssociation[],
): { upserts: Diff; removes: Diff } {
  const current = new Map(have.map((a) => [podKey(a), a]));
  const wanted = new Set(want.map(podKey));
  const upserts: PlanStep[] = [];
  for (const a of want) {
    const h = current.get(podKey(a));
    if (!h) {
      upserts.push({
        resource: "podidentityassociation",
        action: "create",
        name: podKey(a),
        changes: [`role ${a.roleArn}`],
        calls: [{ op: "CreatePodIdentityAssociation", input: { ...a, clusterName: cluster } }],
      });
      continue;
    }
    if (h.ownerArn) continue;
    const changes: string[] = [];
    if (a.roleArn !== h.roleArn) changes.push(change("roleArn", h.roleArn, a.roleArn));
    if (a.targetRoleArn !== undefined && a.targetRoleArn !== h.targetRoleArn)
      changes.push(change("targetRoleArn", h.targetRoleArn, a.targetRoleArn));
    if (a.disableSessionTags !== undefined && a.disableSessionTags !== h.disableSessionTags)
      changes.push(change("disableSessionTags", h.disableSessionTags, a.disableSessionTags));
    if (changes.length)
      upserts.push({
        resource: "podidentityassociation",
        action: "update",
        name: podKey(a),
        changes,
        calls: [
          {
            op: "UpdatePodIdentityAssociation",
            input: {
              clusterName: cluster,
              associationId: h.associationId,
              roleArn: a.roleArn,
              ...(a.targetRoleArn !== undefined ? { targetRoleArn: a.targetRoleArn } : {}),
              ...(a.disableSessionTags !== undefined ? { disableSessionTags: a.disableSessionTags } : {}),
            },
          },
        ],
      });
  }
  const removes: PlanStep[] = have
    .filter((a) => !a.ownerArn && !wanted.has(podKey(a)))
    .map((a) => ({
      resource: "podidentityassociation",
      action: "delete",
      name: podKey(a),
      changes: ["not in the file"],
      calls: [
        {
          op: "DeletePodIdentityAssociation",
          input: { clusterName: cluster, associationId: a.associationId },
        },
      ],
    }));
  return { upserts: { steps: upserts, refusals: [] }, removes: { steps: removes, refusals: [] } };
}
