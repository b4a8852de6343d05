import { z } from "zod";
import { log } from "../../log.ts";
import { EksError, eksErrors } from "../errors.ts";
import { newUuid } from "../ids.ts";
import { capUpdates, mutateCluster } from "../mutate.ts";
import { applyNodeChange, isEmptyChange, type NodeChange } from "../node-drain.ts";
import {
  drainInstances,
  groupInstances,
  invalidNodegroup,
  KUBE_EFFECT,
  launchNodes,
  MAX_LABELS,
  MAX_TAINTS,
  nodegroupOf,
  patchInstances,
  removeInstances,
  scaleInVictims,
} from "../nodegroups.ts";
import { nowMs, type Op } from "../op.ts";
import type { ClusterDoc, EksContext, NodegroupDoc, UpdateDoc } from "../repo.ts";
import { updateOut } from "../shapes.ts";
import { parseWith } from "../validate.ts";
import { checkScaling, ScalingConfig, Taint, UpdateConfig } from "./nodegroup-rules.ts";

// UpdateNodegroupConfig (POST /clusters/{name}/node-groups/{nodegroupName}/update-config): labels, taints,
// scaling and update config of a managed node group, as one Update of type ConfigUpdate (listed under
// ListUpdates?nodegroupName). The group turns UPDATING and the work is done inline, as the other operations
// here do: on a scale-in the victims (scaleInVictims: zone balance, then newest) are cordoned and drained
// through the Eviction API, PodDisruptionBudgets respected for at most drainTimeoutMs before they go anyway,
// their Node objects deleted and instances terminated; label and taint changes are patched onto the
// remaining nodes; on a scale-out new instances come from the capacity provider and register as at create,
// with the new labels and taints. Then the Update is Successful (Failed with the reason, if launching or
// registering fell short; the group's config is then left as it was) and the group ACTIVE again. The
// response is the InProgress Update, as EKS answers.

const Body = z.object({
  labels: z
    .object({
      addOrUpdateLabels: z.record(z.string().min(1).max(63), z.string().min(1).max(63)).optional(),
      removeLabels: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  taints: z
    .object({
      addOrUpdateTaints: z.array(Taint).optional(),
      removeTaints: z.array(Taint.partial({ effect: true })).optional(),
    })
    .optional(),
  scalingConfig: ScalingConfig.optional(),
  updateConfig: UpdateConfig.optional(),
  nodeRepairConfig: z.unknown().optional(),
  warmPoolConfig: z.unknown().optional(),
  clientRequestToken: z.string().min(1).optional(),
});
type Body = z.infer<typeof Body>;

/** An update left InProgress this long (a crash mid-way) no longer keeps the group UPDATING. */
const STALE_MS = 10 * 60_000;

const taintJson = (t: { key: string; value?: string; effect?: string }) =>
  // EKS writes the members in alphabetical order: {"effect":…,"key":…,"value":…}.
  ({
    ...(t.effect ? { effect: t.effect } : {}),
    key: t.key,
    ...(t.value !== undefined ? { value: t.value } : {}),
  });

/** The update's params, in the order EKS lists them; only what the request sets. */
function paramsOf(body: Body): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  const add = (type: string, v: unknown) => {
    if (v !== undefined) out.push({ type, value: typeof v === "string" ? v : JSON.stringify(v) });
  };
  const l = body.labels;
  if (l?.addOrUpdateLabels && Object.keys(l.addOrUpdateLabels).length)
    add("LabelsToAdd", l.addOrUpdateLabels);
  if (l?.removeLabels?.length) add("LabelsToRemove", l.removeLabels);
  const t = body.taints;
  if (t?.addOrUpdateTaints?.length) add("TaintsToAdd", t.addOrUpdateTaints.map(taintJson));
  if (t?.removeTaints?.length) add("TaintsToRemove", t.removeTaints.map(taintJson));
  const s = body.scalingConfig;
  add("MinSize", s?.minSize?.toString());
  add("MaxSize", s?.maxSize?.toString());
  add("DesiredSize", s?.desiredSize?.toString());
  const u = body.updateConfig;
  add("MaxUnavailable", u?.maxUnavailable?.toString());
  add("MaxUnavailablePercentage", u?.maxUnavailablePercentage?.toString());
  add("UpdateStrategy", u?.updateStrategy);
  return out;
}

/** The request's label/taint change, in the API's effect spelling. */
function changeOf(body: Body): NodeChange {
  return {
    addLabels: { ...(body.labels?.addOrUpdateLabels ?? {}) },
    removeLabels: [...(body.labels?.removeLabels ?? [])],
    addTaints: (body.taints?.addOrUpdateTaints ?? []).map((t) => ({ ...t })),
    removeTaints: (body.taints?.removeTaints ?? []).map((t) => ({
      key: t.key,
      ...(t.effect ? { effect: t.effect } : {}),
    })),
  };
}

/** The same change with Kubernetes taint effects, for the nodes. */
function kubeChange(c: NodeChange): NodeChange {
  const eff = (e: string) => KUBE_EFFECT[e] ?? e;
  return {
    ...c,
    addTaints: c.addTaints.map((t) => ({ ...t, effect: eff(t.effect) })),
    removeTaints: c.removeTaints.map((t) => (t.effect ? { ...t, effect: eff(t.effect) } : t)),
  };
}

/** The group as it is once the update is done. */
function target(ng: NodegroupDoc, body: Body, change: NodeChange): NodegroupDoc {
  const { labels, taints } = applyNodeChange(ng.labels, ng.taints, change);
  return {
    ...structuredClone(ng),
    labels,
    taints,
    scalingConfig: { ...ng.scalingConfig, ...(body.scalingConfig ?? {}) },
    updateConfig: body.updateConfig
      ? body.updateConfig.maxUnavailable !== undefined ||
        body.updateConfig.maxUnavailablePercentage !== undefined
        ? { ...body.updateConfig }
        : { ...ng.updateConfig, ...body.updateConfig }
      : { ...ng.updateConfig },
  };
}

function check(ng: NodegroupDoc, body: Body, change: NodeChange, invalid: (m: string) => EksError): void {
  const both = change.removeLabels.filter((k) => k in change.addLabels);
  if (both.length) throw invalid(`The following labels are both added and removed: [${both.join(", ")}]`);
  const seen = new Set<string>();
  for (const t of change.addTaints) {
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) throw invalid(`Duplicate taint with key ${t.key} and effect ${t.effect}.`);
    seen.add(key);
  }
  const next = target(ng, body, change);
  const labels = Object.keys(next.labels).length;
  if (labels > MAX_LABELS) throw invalid(`Number of labels ${labels} exceeds the limit of ${MAX_LABELS}.`);
  if (next.taints.length > MAX_TAINTS)
    throw invalid(`Number of taints ${next.taints.length} exceeds the limit of ${MAX_TAINTS}.`);
  const u = body.updateConfig;
  if (u?.maxUnavailable !== undefined && u.maxUnavailablePercentage !== undefined)
    throw invalid("Only one of maxUnavailable and maxUnavailablePercentage can be specified.");
}

/** Fails an update left InProgress by a crash, so the group can be updated (or deleted) again. */
function expireStale(doc: ClusterDoc, ng: NodegroupDoc, now: number): void {
  for (const u of doc.updates)
    if (u.nodegroupName === ng.nodegroupName && u.status === "InProgress" && now - u.createdAt > STALE_MS) {
      u.status = "Failed";
      u.errors.push({ errorCode: "Unknown", errorMessage: "The update was interrupted", resourceIds: [] });
      if (ng.status === "UPDATING") ng.status = "ACTIVE";
    }
}

interface Outcome {
  error?: { errorCode: string; errorMessage: string; resourceIds: string[] };
}

/** The Kubernetes and capacity side: scale in (drained), relabel the rest, scale out. */
async function carryOut(
  ctx: EksContext,
  cluster: ClusterDoc,
  ng: NodegroupDoc,
  next: NodegroupDoc,
  change: NodeChange,
): Promise<Outcome> {
  const instances = await groupInstances(ctx, cluster.name, ng);
  const desired = next.scalingConfig.desiredSize;
  const victims = instances.length > desired ? scaleInVictims(instances, instances.length - desired) : [];
  if (victims.length) {
    const undrained = await drainInstances(cluster.name, victims);
    if (undrained.length)
      log("warn", "node group scale-in: pods left on nodes past the drain timeout", {
        cluster: cluster.name,
        nodegroup: ng.nodegroupName,
        nodes: undrained,
      });
    await removeInstances(ctx, cluster.name, victims);
  }
  const kept = instances.filter((i) => !victims.includes(i));
  if (!isEmptyChange(change)) await patchInstances(cluster.name, kept, kubeChange(change));
  if (kept.length < desired) {
    const out = await launchNodes(ctx, cluster, next, desired - kept.length, kept);
    if (out.issue)
      return {
        error: {
          errorCode: out.issue.code === "AsgInstanceLaunchFailures" ? "NodeCreationFailure" : out.issue.code,
          errorMessage: out.issue.message,
          resourceIds: out.issue.resourceIds,
        },
      };
  }
  return {};
}

export const updateNodegroupConfig: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const name = req.params.nodegroupName;
  const members = { clusterName: cluster, nodegroupName: name };
  const invalid = (m: string) => invalidNodegroup(m, members);
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, members));
  const params = paramsOf(body);
  if (params.length === 0) throw invalid("No changes needed for the nodegroup config provided");
  const change = changeOf(body);

  const started = await mutateCluster(
    ctx,
    cluster,
    (doc): { update: UpdateDoc; ng: NodegroupDoc; fresh: boolean } => {
      const ng = nodegroupOf(doc, name);
      const again = body.clientRequestToken
        ? doc.updates.find(
            (u) => u.clientRequestToken === body.clientRequestToken && u.nodegroupName === name,
          )
        : undefined;
      if (again) return { update: again, ng, fresh: false };
      const now = nowMs(ctx);
      expireStale(doc, ng, now);
      if (ng.status !== "ACTIVE")
        throw eksErrors.inUse(
          `Nodegroup ${name} is currently in ${ng.status} state and can't be updated.`,
          members,
        );
      check(ng, body, change, invalid);
      checkScaling(target(ng, body, change).scalingConfig, invalid, members);
      const update: UpdateDoc = {
        id: newUuid(),
        type: "ConfigUpdate",
        status: "InProgress",
        params,
        createdAt: now,
        errors: [],
        nodegroupName: name,
        ...(body.clientRequestToken ? { clientRequestToken: body.clientRequestToken } : {}),
      };
      doc.updates.push(update);
      capUpdates(doc);
      ng.status = "UPDATING";
      ng.modifiedAt = now;
      return { update, ng: structuredClone(ng), fresh: true };
    },
  );
  const { update, ng, fresh } = started.result;
  if (!fresh) return { update: updateOut(update) };

  const next = target(ng, body, change);
  let outcome: Outcome;
  try {
    outcome = await carryOut(ctx, started.doc, ng, next, change);
  } catch (e) {
    log("error", "eks node group config update failed", { cluster, nodegroup: name, error: String(e) });
    outcome = {
      error: { errorCode: "Unknown", errorMessage: String((e as Error).message ?? e), resourceIds: [] },
    };
  }
  try {
    await mutateCluster(ctx, cluster, (doc) => {
      const u = doc.updates.find((x) => x.id === update.id);
      const current = doc.nodegroups?.[name];
      if (current && current.arn === ng.arn && current.status === "UPDATING") {
        if (!outcome.error) {
          current.labels = next.labels;
          current.taints = next.taints;
          current.scalingConfig = next.scalingConfig;
          current.updateConfig = next.updateConfig;
        }
        current.status = "ACTIVE";
        current.modifiedAt = nowMs(ctx);
      }
      if (u?.status !== "InProgress") return;
      if (outcome.error) {
        u.status = "Failed";
        u.errors.push(outcome.error);
      } else u.status = "Successful";
    });
  } catch (e) {
    // The cluster went meanwhile: nothing left to finish.
    if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
  }
  return { update: updateOut(update) };
};
