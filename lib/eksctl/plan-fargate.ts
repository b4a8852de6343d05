// Fargate profiles in a plan. EKS cannot change a profile, so a changed one is deleted and created again
// under its name (a replace); profiles the file no longer lists are deleted.
import type {
  CreateFargateProfileRequest,
  FargateProfile,
  FargateProfileSelector,
} from "@aws-sdk/client-eks";
import type { Diff, PlanStep } from "./plan-types.ts";
import { canonical, change, differs, sameSet } from "./plan-util.ts";

/** Selectors as a comparable set: order of selectors and of label keys does not matter. */
function selectorKeys(s: FargateProfileSelector[] | undefined): string[] {
  return (s ?? [])
    .map((x) =>
      canonical({
        namespace: x.namespace,
        labels: x.labels && Object.keys(x.labels).length ? x.labels : undefined,
      }),
    )
    .sort();
}

function reasons(want: CreateFargateProfileRequest, have: FargateProfile): string[] {
  const out: string[] = [];
  if (!sameSet(selectorKeys(want.selectors), selectorKeys(have.selectors)))
    out.push(change("selectors", have.selectors ?? [], want.selectors ?? []));
  if (differs(want.podExecutionRoleArn, have.podExecutionRoleArn))
    out.push(change("podExecutionRoleArn", have.podExecutionRoleArn, want.podExecutionRoleArn));
  if (want.subnets?.length && !sameSet(want.subnets, have.subnets))
    out.push(change("subnets", have.subnets, want.subnets));
  return out;
}

export function planFargate(
  cluster: string,
  want: CreateFargateProfileRequest[],
  have: FargateProfile[],
): { removes: Diff; adds: Diff } {
  const current = new Map(have.map((p) => [p.fargateProfileName ?? "", p]));
  const wanted = new Set(want.map((p) => p.fargateProfileName));
  const removes: PlanStep[] = have
    .filter((p) => p.fargateProfileName && !wanted.has(p.fargateProfileName))
    .map((p) => ({
      resource: "fargateprofile",
      action: "delete",
      name: p.fargateProfileName ?? "",
      changes: ["not in the file"],
      calls: [
        {
          op: "DeleteFargateProfile",
          input: { clusterName: cluster, fargateProfileName: p.fargateProfileName },
        },
      ],
    }));
  const adds: PlanStep[] = [];
  for (const p of want) {
    const name = p.fargateProfileName ?? "";
    const h = current.get(name);
    const create = { op: "CreateFargateProfile" as const, input: { ...p, clusterName: cluster } };
    if (!h) {
      adds.push({
        resource: "fargateprofile",
        action: "create",
        name,
        changes: [`selectors ${(p.selectors ?? []).map((s) => s.namespace).join(",")}`],
        calls: [create],
      });
      continue;
    }
    const why = reasons(p, h);
    if (why.length)
      // Replacements go with the removals, before the additions: EKS works on one profile at a time.
      removes.push({
        resource: "fargateprofile",
        action: "replace",
        name,
        changes: why.map((c) => `${c} (profiles are immutable: replace)`),
        calls: [
          {
            op: "DeleteFargateProfile",
            input: { clusterName: cluster, fargateProfileName: p.fargateProfileName },
          },
          create,
        ],
      });
  }
  return { removes: { steps: removes, refusals: [] }, adds: { steps: adds, refusals: [] } };
}
