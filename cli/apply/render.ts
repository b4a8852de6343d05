import { type Plan, type PlanAction, type PlanStep, planCounts } from "../../lib/eksctl/plan.ts";

// The plan as `kumulus apply` prints it: a "+ / ~ / - / -/+" list, one resource a line with its changes
// indented under it, as terraform users read plans, plus eksctl-style summary lines.

const SIGN: Record<PlanAction, string> = { create: "+", update: "~", delete: "-", replace: "-/+" };

export function stepTitle(s: PlanStep): string {
  return `${s.resource} "${s.name}"`;
}

export function planText(plan: Plan): string {
  const lines: string[] = [];
  for (const s of plan.steps) {
    lines.push(`  ${SIGN[s.action].padStart(3)} ${stepTitle(s)}`);
    for (const c of s.changes) lines.push(`        ${c}`);
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

/** "3 change(s): 1 to add, 1 to change, 1 to destroy" in eksctl's counting style. */
export function planSummary(plan: Plan): string {
  const n = planCounts(plan);
  const parts = [
    n.create ? `${n.create} to create` : "",
    n.update ? `${n.update} to update` : "",
    n.replace ? `${n.replace} to replace` : "",
    n.delete ? `${n.delete} to delete` : "",
  ].filter(Boolean);
  return `${plan.steps.length} change(s) planned for cluster "${plan.cluster}": ${parts.join(", ")}`;
}

/** The verb of a step's log line once done: `updated nodegroup "ng-1"`. */
export function doneText(s: PlanStep): string {
  const verb = { create: "created", update: "updated", delete: "deleted", replace: "replaced" }[s.action];
  return `${verb} ${stepTitle(s)}`;
}
