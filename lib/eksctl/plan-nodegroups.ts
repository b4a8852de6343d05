// Managed node groups in a plan. Scaling, labels and taints change in place (UpdateNodegroupConfig), the
// Kubernetes version through UpdateNodegroupVersion; what EKS fixes at creation (instance types, AMI type,
// capacity type, disk, subnets, node role, launch template, SSH access) means a replacement: the group is
// deleted (its nodes drained) and created again under the same name. Groups the file no longer lists are
// deleted.
import type {
  CreateNodegroupRequest,
  Nodegroup,
  NodegroupScalingConfig,
  Taint,
  UpdateNodegroupConfigRequest,
} from "@aws-sdk/client-eks";
import type { Diff, PlanStep } from "./plan-types.ts";
import { canonical, change, compareVersions, differs, sameList, sameSet, show } from "./plan-util.ts";

const taintId = (t: Taint) => `${t.key}:${t.effect}`;

/** Why the group cannot become what the file says in place; empty when it can. */
function replaceReasons(want: CreateNodegroupRequest, have: Nodegroup): string[] {
  const out: string[] = [];
  if (want.instanceTypes?.length && !sameList(want.instanceTypes, have.instanceTypes))
    out.push(change("instanceTypes", have.instanceTypes, want.instanceTypes));
  if (differs(want.amiType, have.amiType)) out.push(change("amiType", have.amiType, want.amiType));
  if (differs(want.capacityType, have.capacityType))
    out.push(change("capacityType", have.capacityType, want.capacityType));
  if (differs(want.diskSize, have.diskSize)) out.push(change("diskSize", have.diskSize, want.diskSize));
  if (want.subnets?.length && !sameSet(want.subnets, have.subnets))
    out.push(change("subnets", have.subnets, want.subnets));
  if (differs(want.nodeRole, have.nodeRole)) out.push(change("nodeRole", have.nodeRole, want.nodeRole));
  if (want.launchTemplate) {
    const w = want.launchTemplate;
    const h = have.launchTemplate;
    if ((w.id && w.id !== h?.id) || (w.name && w.name !== h?.name))
      out.push(change("launchTemplate", h?.id ?? h?.name, w.id ?? w.name));
  }
  if (
    want.remoteAccess?.ec2SshKey !== undefined &&
    want.remoteAccess.ec2SshKey !== have.remoteAccess?.ec2SshKey
  )
    out.push(change("remoteAccess.ec2SshKey", have.remoteAccess?.ec2SshKey, want.remoteAccess.ec2SshKey));
  return out.map((c) => `${c} (cannot change in place: replace)`);
}

/** The UpdateNodegroupConfig that takes `have` to `want`, with its change lines; undefined when none. */
function configUpdate(
  cluster: string,
  want: CreateNodegroupRequest,
  have: Nodegroup,
): { input: UpdateNodegroupConfigRequest; changes: string[] } | undefined {
  const name = have.nodegroupName ?? want.nodegroupName;
  const input: UpdateNodegroupConfigRequest = { clusterName: cluster, nodegroupName: name };
  const changes: string[] = [];

  const ws = want.scalingConfig ?? {};
  const hs = have.scalingConfig ?? {};
  const fields: (keyof NodegroupScalingConfig)[] = ["minSize", "maxSize", "desiredSize"];
  if (fields.some((f) => differs(ws[f], hs[f]))) {
    // The whole triple goes, so EKS checks min ≤ desired ≤ max against the values the group ends with.
    input.scalingConfig = {
      minSize: ws.minSize ?? hs.minSize,
      maxSize: ws.maxSize ?? hs.maxSize,
      desiredSize: ws.desiredSize ?? hs.desiredSize,
    };
    for (const f of fields) if (differs(ws[f], hs[f])) changes.push(change(`scaling.${f}`, hs[f], ws[f]));
  }

  const wl = want.labels ?? {};
  const hl = have.labels ?? {};
  const addLabels = Object.fromEntries(Object.entries(wl).filter(([k, v]) => hl[k] !== v));
  const removeLabels = Object.keys(hl).filter((k) => !(k in wl));
  if (Object.keys(addLabels).length || removeLabels.length) {
    input.labels = {
      ...(Object.keys(addLabels).length ? { addOrUpdateLabels: addLabels } : {}),
      ...(removeLabels.length ? { removeLabels } : {}),
    };
    for (const [k, v] of Object.entries(addLabels)) changes.push(change(`labels.${k}`, hl[k], v));
    for (const k of removeLabels) changes.push(change(`labels.${k}`, hl[k], undefined));
  }

  const wt = want.taints ?? [];
  const ht = have.taints ?? [];
  const had = new Map(ht.map((t) => [taintId(t), t]));
  const wanted = new Set(wt.map(taintId));
  const addTaints = wt.filter((t) => canonical(had.get(taintId(t))) !== canonical(t));
  const removeTaints = ht.filter((t) => !wanted.has(taintId(t)));
  if (addTaints.length || removeTaints.length) {
    input.taints = {
      ...(addTaints.length ? { addOrUpdateTaints: addTaints } : {}),
      ...(removeTaints.length ? { removeTaints } : {}),
    };
    for (const t of addTaints)
      changes.push(change(`taints.${taintId(t)}`, had.get(taintId(t))?.value, t.value ?? ""));
    for (const t of removeTaints) changes.push(change(`taints.${taintId(t)}`, t.value ?? "", undefined));
  }

  if (want.updateConfig && differs(want.updateConfig, have.updateConfig)) {
    input.updateConfig = want.updateConfig;
    changes.push(change("updateConfig", have.updateConfig, want.updateConfig));
  }
  return changes.length ? { input, changes } : undefined;
}

function planGroup(cluster: string, want: CreateNodegroupRequest, have: Nodegroup): Diff {
  const name = want.nodegroupName ?? "";
  const reasons = replaceReasons(want, have);
  if (reasons.length)
    return {
      steps: [
        {
          resource: "nodegroup",
          action: "replace",
          name,
          changes: reasons,
          calls: [
            { op: "DeleteNodegroup", input: { clusterName: cluster, nodegroupName: name } },
            { op: "CreateNodegroup", input: { ...want, clusterName: cluster } },
          ],
        },
      ],
      refusals: [],
    };
  const steps: PlanStep[] = [];
  const refusals: string[] = [];
  const cfg = configUpdate(cluster, want, have);
  if (cfg)
    steps.push({
      resource: "nodegroup",
      action: "update",
      name,
      changes: cfg.changes,
      calls: [{ op: "UpdateNodegroupConfig", input: cfg.input }],
    });
  const cmp = compareVersions(want.version, have.version);
  if (cmp !== undefined && cmp > 0)
    steps.push({
      resource: "nodegroup",
      action: "update",
      name,
      changes: [change("version", have.version, want.version)],
      calls: [
        {
          op: "UpdateNodegroupVersion",
          input: { clusterName: cluster, nodegroupName: name, version: want.version },
        },
      ],
    });
  else if (cmp !== undefined && cmp < 0)
    refusals.push(
      `nodegroup "${name}": cannot downgrade from version ${show(have.version)} to ${show(want.version)}`,
    );
  return { steps, refusals };
}

export function planNodegroups(
  cluster: string,
  want: CreateNodegroupRequest[],
  have: Nodegroup[],
): { adds: Diff; updates: Diff; removes: Diff } {
  const current = new Map(have.map((g) => [g.nodegroupName ?? "", g]));
  const wanted = new Set(want.map((g) => g.nodegroupName));
  const adds: Diff = { steps: [], refusals: [] };
  const updates: Diff = { steps: [], refusals: [] };
  for (const g of want) {
    const name = g.nodegroupName ?? "";
    const h = current.get(name);
    if (!h) {
      const s = g.scalingConfig;
      adds.steps.push({
        resource: "nodegroup",
        action: "create",
        name,
        changes: [
          `desired ${s?.desiredSize ?? "(default)"}, min ${s?.minSize ?? "(default)"}, max ${s?.maxSize ?? "(default)"}` +
            (g.instanceTypes?.length ? `, ${g.instanceTypes.join(",")}` : ""),
        ],
        calls: [{ op: "CreateNodegroup", input: { ...g, clusterName: cluster } }],
      });
      continue;
    }
    const d = planGroup(cluster, g, h);
    updates.steps.push(...d.steps);
    updates.refusals.push(...d.refusals);
  }
  const removes: Diff = {
    steps: have
      .filter((g) => g.nodegroupName && !wanted.has(g.nodegroupName))
      .map((g) => ({
        resource: "nodegroup" as const,
        action: "delete" as const,
        name: g.nodegroupName ?? "",
        changes: [`not in the file (${g.scalingConfig?.desiredSize ?? 0} node(s) drained)`],
        calls: [
          { op: "DeleteNodegroup" as const, input: { clusterName: cluster, nodegroupName: g.nodegroupName } },
        ],
      })),
    refusals: [],
  };
  return { adds, updates, removes };
}
