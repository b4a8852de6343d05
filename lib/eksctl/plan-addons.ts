// EKS add-ons in a plan: added, updated (version, configuration values, service-account role) or deleted.
// A version or configuration the file leaves out is left as the cluster has it.
import type { Addon, CreateAddonRequest, UpdateAddonRequest } from "@aws-sdk/client-eks";
import type { Diff, PlanStep } from "./plan-types.ts";
import { canonical, change } from "./plan-util.ts";

/** Configuration values compare as data when they are JSON, else as trimmed text (YAML). */
function sameConfig(a: string | undefined, b: string | undefined): boolean {
  const norm = (s: string | undefined) => {
    const t = (s ?? "").trim();
    if (t === "" || t === "{}") return "";
    try {
      return canonical(JSON.parse(t));
    } catch {
      return t;
    }
  };
  return norm(a) === norm(b);
}

/** "v1.19.0" (as a file may pin it) is the same as the "v1.19.0-eksbuild.1" EKS resolved it to. */
function sameVersion(want: string, have: string | undefined): boolean {
  const w = want.replace(/^v?/, "v");
  const h = (have ?? "").replace(/^v?/, "v");
  return w === h || h.startsWith(`${w}-`);
}

export function planAddons(
  cluster: string,
  want: CreateAddonRequest[],
  have: Addon[],
): { upserts: Diff; removes: Diff } {
  const current = new Map(have.map((a) => [a.addonName ?? "", a]));
  const wanted = new Set(want.map((a) => a.addonName));
  const upserts: PlanStep[] = [];
  for (const a of want) {
    const name = a.addonName ?? "";
    const h = current.get(name);
    if (!h) {
      upserts.push({
        resource: "addon",
        action: "create",
        name,
        changes: [a.addonVersion ? `version ${a.addonVersion}` : "default version"],
        calls: [{ op: "CreateAddon", input: { ...a, clusterName: cluster } }],
      });
      continue;
    }
    const input: UpdateAddonRequest = { clusterName: cluster, addonName: a.addonName };
    const changes: string[] = [];
    if (a.addonVersion !== undefined && !sameVersion(a.addonVersion, h.addonVersion)) {
      input.addonVersion = a.addonVersion;
      changes.push(change("version", h.addonVersion, a.addonVersion));
    }
    if (a.configurationValues !== undefined && !sameConfig(a.configurationValues, h.configurationValues)) {
      input.configurationValues = a.configurationValues;
      changes.push(change("configurationValues", h.configurationValues, a.configurationValues));
    }
    if (a.serviceAccountRoleArn !== undefined && a.serviceAccountRoleArn !== h.serviceAccountRoleArn) {
      input.serviceAccountRoleArn = a.serviceAccountRoleArn;
      changes.push(change("serviceAccountRoleArn", h.serviceAccountRoleArn, a.serviceAccountRoleArn));
    }
    if (!changes.length) continue;
    if (a.resolveConflicts) input.resolveConflicts = a.resolveConflicts;
    upserts.push({
      resource: "addon",
      action: "update",
      name,
      changes,
      calls: [{ op: "UpdateAddon", input }],
    });
  }
  const removes: PlanStep[] = have
    .filter((a) => a.addonName && !wanted.has(a.addonName))
    .map((a) => ({
      resource: "addon",
      action: "delete",
      name: a.addonName ?? "",
      changes: ["not in the file"],
      calls: [{ op: "DeleteAddon", input: { clusterName: cluster, addonName: a.addonName } }],
    }));
  return { upserts: { steps: upserts, refusals: [] }, removes: { steps: removes, refusals: [] } };
}
