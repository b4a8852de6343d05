// Access entries and their policies in a plan. Username and groups change in place (UpdateAccessEntry), a
// changed type means delete and create; policies are associated (again, for a changed scope) or
// disassociated. Entries EKS made itself (node and Fargate roles: types other than STANDARD) and the
// principals the caller keeps (the cluster creator's) are never deleted for being absent from the file.
import type {
  AccessEntry,
  AccessScope,
  AssociateAccessPolicyRequest,
  AssociatedAccessPolicy,
  CreateAccessEntryRequest,
  UpdateAccessEntryRequest,
} from "@aws-sdk/client-eks";
import type { Diff, PlanCall, PlanStep } from "./plan-types.ts";
import { change, sameSet } from "./plan-util.ts";

type Want = { entry: CreateAccessEntryRequest; policies: AssociateAccessPolicyRequest[] };
type Have = { entry: AccessEntry; policies: AssociatedAccessPolicy[] };

function sameScope(a: AccessScope | undefined, b: AccessScope | undefined): boolean {
  return (a?.type ?? "cluster") === (b?.type ?? "cluster") && sameSet(a?.namespaces, b?.namespaces);
}

const scopeText = (s: AccessScope | undefined) =>
  s?.type === "namespace" ? `namespace [${(s.namespaces ?? []).join(",")}]` : "cluster";

/** The policy calls that take `have`'s policies to `want`'s, with a line each. */
function policyDiff(
  cluster: string,
  principalArn: string,
  want: AssociateAccessPolicyRequest[],
  have: AssociatedAccessPolicy[],
): { calls: PlanCall[]; changes: string[] } {
  const current = new Map(have.map((p) => [p.policyArn ?? "", p]));
  const wanted = new Set(want.map((p) => p.policyArn));
  const calls: PlanCall[] = [];
  const changes: string[] = [];
  for (const p of want) {
    const h = current.get(p.policyArn ?? "");
    if (h && sameScope(p.accessScope, h.accessScope)) continue;
    calls.push({ op: "AssociateAccessPolicy", input: { ...p, clusterName: cluster, principalArn } });
    changes.push(
      h
        ? change(`policy ${p.policyArn}`, scopeText(h.accessScope), scopeText(p.accessScope))
        : `+ policy ${p.policyArn} (${scopeText(p.accessScope)})`,
    );
  }
  for (const h of have)
    if (h.policyArn && !wanted.has(h.policyArn)) {
      calls.push({
        op: "DisassociateAccessPolicy",
        input: { clusterName: cluster, principalArn, policyArn: h.policyArn },
      });
      changes.push(`- policy ${h.policyArn}`);
    }
  return { calls, changes };
}

function createCalls(cluster: string, w: Want): PlanCall[] {
  const principalArn = w.entry.principalArn;
  return [
    { op: "CreateAccessEntry", input: { ...w.entry, clusterName: cluster } },
    ...w.policies.map(
      (p): PlanCall => ({ op: "AssociateAccessPolicy", input: { ...p, clusterName: cluster, principalArn } }),
    ),
  ];
}

export function planAccess(
  cluster: string,
  want: Want[],
  have: Have[],
  keepPrincipals: readonly string[] = [],
): { upserts: Diff; removes: Diff } {
  const current = new Map(have.map((h) => [h.entry.principalArn ?? "", h]));
  const wanted = new Set(want.map((w) => w.entry.principalArn));
  const upserts: PlanStep[] = [];
  for (const w of want) {
    const arn = w.entry.principalArn ?? "";
    const h = current.get(arn);
    if (!h) {
      upserts.push({
        resource: "accessentry",
        action: "create",
        name: arn,
        changes: [
          `type ${w.entry.type ?? "STANDARD"}` +
            (w.entry.kubernetesGroups?.length ? `, groups [${w.entry.kubernetesGroups.join(",")}]` : "") +
            (w.policies.length ? `, ${w.policies.length} policy(ies)` : ""),
        ],
        calls: createCalls(cluster, w),
      });
      continue;
    }
    const type = w.entry.type ?? "STANDARD";
    if (type !== (h.entry.type ?? "STANDARD")) {
      upserts.push({
        resource: "accessentry",
        action: "replace",
        name: arn,
        changes: [`${change("type", h.entry.type, type)} (cannot change in place: replace)`],
        calls: [
          { op: "DeleteAccessEntry", input: { clusterName: cluster, principalArn: arn } },
          ...createCalls(cluster, w),
        ],
      });
      continue;
    }
    const input: UpdateAccessEntryRequest = { clusterName: cluster, principalArn: arn };
    const changes: string[] = [];
    if (w.entry.username !== undefined && w.entry.username !== h.entry.username) {
      input.username = w.entry.username;
      changes.push(change("username", h.entry.username, w.entry.username));
    }
    // EKS owns the groups of node entries; only STANDARD entries carry the file's.
    if (type === "STANDARD" && !sameSet(w.entry.kubernetesGroups, h.entry.kubernetesGroups)) {
      input.kubernetesGroups = w.entry.kubernetesGroups ?? [];
      changes.push(
        change("kubernetesGroups", h.entry.kubernetesGroups ?? [], w.entry.kubernetesGroups ?? []),
      );
    }
    const pol = policyDiff(cluster, arn, w.policies, h.policies);
    if (!changes.length && !pol.calls.length) continue;
    upserts.push({
      resource: "accessentry",
      action: "update",
      name: arn,
      changes: [...changes, ...pol.changes],
      calls: [...(changes.length ? [{ op: "UpdateAccessEntry" as const, input }] : []), ...pol.calls],
    });
  }
  const keep = new Set(keepPrincipals);
  const removes: PlanStep[] = have
    .filter(
      (h) =>
        h.entry.principalArn &&
        !wanted.has(h.entry.principalArn) &&
        !keep.has(h.entry.principalArn) &&
        (h.entry.type ?? "STANDARD") === "STANDARD",
    )
    .map((h) => ({
      resource: "accessentry",
      action: "delete",
      name: h.entry.principalArn ?? "",
      changes: ["not in the file"],
      calls: [
        { op: "DeleteAccessEntry", input: { clusterName: cluster, principalArn: h.entry.principalArn } },
      ],
    }));
  return { upserts: { steps: upserts, refusals: [] }, removes: { steps: removes, refusals: [] } };
}
