// IRSA service accounts (iam.serviceAccounts) in a plan, keyed by namespace/name. A changed role is an update
// of the ServiceAccount's annotation. Only accounts eksctl or kumulus made for IRSA are ever removed: those
// labelled managed-by eksctl that carry a role, so a team's own ServiceAccounts are never the file's business.
import type { Diff, IamServiceAccount, PlanStep } from "./plan-types.ts";
import { change } from "./plan-util.ts";

const key = (a: IamServiceAccount) => `${a.namespace}/${a.name}`;

export function planServiceAccounts(
  want: IamServiceAccount[],
  have: IamServiceAccount[],
): { upserts: Diff; removes: Diff } {
  const current = new Map(have.map((a) => [key(a), a]));
  const wanted = new Set(want.map(key));
  const upserts: PlanStep[] = [];
  for (const a of want) {
    const h = current.get(key(a));
    if (h && h.roleArn === a.roleArn) continue;
    upserts.push({
      resource: "iamserviceaccount",
      action: h ? "update" : "create",
      name: key(a),
      changes: [h ? change("role", h.roleArn, a.roleArn) : `role ${a.roleArn}`],
      calls: [{ op: "PutServiceAccount", account: a }],
    });
  }
  const removes: PlanStep[] = have
    .filter((a) => !wanted.has(key(a)))
    .map((a) => ({
      resource: "iamserviceaccount",
      action: "delete",
      name: key(a),
      changes: ["not in the file"],
      calls: [{ op: "RemoveServiceAccount", account: a }],
    }));
  return { upserts: { steps: upserts, refusals: [] }, removes: { steps: removes, refusals: [] } };
}
