import type { Instance } from "../capacity/instance.ts";
import { log } from "../log.ts";
import { EksError } from "./errors.ts";
import { getCluster, mutateCluster } from "./mutate.ts";
import { forceDeletePods, uncordonNode } from "./node-drain.ts";
import { registrar } from "./node-host.ts";
import {
  groupInstances,
  launchNodes,
  nodeFor,
  releaseOfInstance,
  removeInstances,
  subnetZones,
} from "./nodegroups.ts";
import { nowMs } from "./op.ts";
import type { ClusterDoc, EksContext, NodegroupDoc, NodegroupRolloutDoc } from "./repo.ts";
import {
  FORCE_AFTER_MS,
  judgeUndrained,
  maxUnavailableOf,
  planRollout,
  podEvictionFailure,
  type RolloutInstance,
  type StepResult,
} from "./rollout.ts";
import { stepDelete } from "./rollout-delete.ts";

// One bounded step of a node group's rollout (UpdateNodegroupVersion) or drain-then-delete (DeleteNodegroup),
// planned by rollout.ts from the group's record and its live instances. Every step reads the state afresh and
// writes what it decided back into the cluster document, so a step may run again, late, or twice.

/** How long one step keeps evicting before it hands back (the controllers function has a 30 s timeout). */
export const STEP_DRAIN_MS = 5_000;

const DONE: StepResult = { done: true };
const again = (s: number): StepResult => ({ done: false, requeueAfterSeconds: s });

/** Runs the next step of whatever the group is doing (nothing, for a group at rest or gone). */
export async function stepNodegroup(
  ctx: EksContext,
  cluster: string,
  name: string,
  opts: { retryFailures: boolean } = { retryFailures: true },
): Promise<StepResult> {
  let doc: ClusterDoc;
  try {
    doc = await getCluster(ctx, cluster);
  } catch (e) {
    if (e instanceof EksError && e.code === "ResourceNotFoundException") return DONE;
    throw e;
  }
  const ng = doc.nodegroups?.[name];
  if (!ng) return DONE;
  try {
    if (ng.status === "DELETING") return await stepDelete(ctx, doc, ng);
    if (ng.status === "UPDATING" && ng.rollout) return await stepRollout(ctx, doc, ng, ng.rollout);
  } catch (e) {
    if (!opts.retryFailures) throw e;
    // A failing step is retried a little later rather than left to the queue's redelivery, whose last
    // attempt would strand the group in UPDATING or DELETING; one that keeps failing ends in a failure.
    log("error", "node group step failed", { cluster, nodegroup: name, error: String(e) });
    const since = ng.status === "DELETING" ? ng.deleteStartedAt : ng.rollout?.startedAt;
    if (nowMs(ctx) - (since ?? nowMs(ctx)) < GIVE_UP_MS) return again(10);
    await giveUp(ctx, cluster, ng, String((e as Error).message ?? e));
  }
  return DONE;
}

/** How long a group's rollout or delete may keep failing before it is marked failed. */
const GIVE_UP_MS = 30 * 60_000;

async function giveUp(ctx: EksContext, cluster: string, ng: NodegroupDoc, message: string): Promise<void> {
  await mutateCluster(ctx, cluster, (d) => {
    const cur = d.nodegroups?.[ng.nodegroupName];
    if (cur?.arn !== ng.arn) return;
    const issue = { code: "InternalFailure", message, resourceIds: [] };
    if (cur.status === "DELETING") {
      cur.status = "DELETE_FAILED";
      cur.healthIssues = [issue];
      return;
    }
    const u = d.updates.find((x) => x.id === cur.rollout?.updateId);
    if (u?.status === "InProgress") {
      u.status = "Failed";
      u.errors.push({ errorCode: "Unknown", errorMessage: message, resourceIds: [] });
    }
    delete cur.rollout;
    if (cur.status === "UPDATING") cur.status = "ACTIVE";
  });
}

async function stepRollout(
  ctx: EksContext,
  doc: ClusterDoc,
  ng: NodegroupDoc,
  r: NodegroupRolloutDoc,
): Promise<StepResult> {
  const update = doc.updates.find((u) => u.id === r.updateId);
  const instances = await groupInstances(ctx, doc.name, ng);
  if (update?.status !== "InProgress") {
    // The update was failed elsewhere (an interrupted-update sweep): let the group go.
    await finish(ctx, doc.name, ng, r, instances, undefined, "abandon");
    return DONE;
  }
  const byId = new Map(instances.map((i) => [i.id, i]));
  const view: RolloutInstance[] = instances.map((i) => ({
    id: i.id,
    name: i.privateDnsName,
    zone: i.zone,
    launchTime: i.launchTime,
    isNew: releaseOfInstance(i, ng) === r.releaseVersion,
  }));
  const desired = ng.scalingConfig.desiredSize;
  const now = nowMs(ctx);
  const plan = planRollout({
    instances: view,
    desired,
    zones: subnetZones(doc, ctx.region, ng.subnets).length,
    maxUnavailable: maxUnavailableOf(ng.updateConfig, desired),
    draining: r.draining,
    now,
  });
  if (plan.kind === "done") {
    // A step that crashed between launching and registering left instances without nodes: register them
    // (an existing node is left as it is) before calling the update done.
    const target = { ...ng, version: r.version, releaseVersion: r.releaseVersion };
    for (const i of instances) await registrar().register(doc.name, nodeFor(doc, target, i, ctx.region));
    await finish(ctx, doc.name, ng, r, instances, undefined, "succeed");
    return DONE;
  }
  if (plan.kind === "launch") {
    const target = { ...ng, version: r.version, releaseVersion: r.releaseVersion };
    const out = await launchNodes(ctx, doc, target, plan.count, instances);
    if (out.issue) {
      await finish(ctx, doc.name, ng, r, instances, {
        errorCode: "NodeCreationFailure",
        errorMessage: out.issue.message,
        resourceIds: out.issue.resourceIds,
      });
      return DONE;
    }
    return again(1);
  }
  // upgrade or scale-down: record who is draining since when, then drain for a bounded while.
  if (!(await recordDraining(ctx, doc.name, ng, r, plan.draining))) return again(1);
  const names = plan.nodes.map((n) => n.name);
  const undrained = new Set(await registrar().drain(doc.name, names, STEP_DRAIN_MS));
  const drained = plan.nodes.filter((n) => !undrained.has(n.name));
  const stuck = plan.nodes.filter((n) => undrained.has(n.name));
  const verdict = judgeUndrained(
    stuck.map((n) => n.id),
    plan.draining,
    { now: nowMs(ctx), force: r.force, evictionTimeoutMs: r.evictionTimeoutMs, forceAfterMs: FORCE_AFTER_MS },
  );
  const remove = drained.map((n) => byId.get(n.id)!);
  if (plan.kind === "scale-down")
    // Surplus replacements go past the deadline anyway, as an Auto Scaling group's scale-in does.
    remove.push(...stuck.filter((n) => verdict.overdue.includes(n.id)).map((n) => byId.get(n.id)!));
  for (const id of verdict.force) {
    const n = stuck.find((x) => x.id === id)!;
    const deleted = await forceDeletePods(doc.name, [n.name]);
    log("info", "forced node group update deleted pods a disruption budget protected", {
      cluster: doc.name,
      nodegroup: ng.nodegroupName,
      node: n.name,
      pods: deleted,
    });
    remove.push(byId.get(id)!);
  }
  if (remove.length) await removeInstances(ctx, doc.name, remove);
  if (plan.kind === "upgrade" && verdict.overdue.length) {
    const left = instances.filter((i) => !remove.includes(i));
    await finish(ctx, doc.name, ng, r, left, {
      errorCode: "PodEvictionFailure",
      errorMessage: podEvictionFailure(ng.nodegroupName),
      resourceIds: stuck.filter((n) => verdict.overdue.includes(n.id)).map((n) => n.name),
    });
    return DONE;
  }
  return again(remove.length ? 1 : 2);
}

/** Keeps the draining record; false when the rollout is no longer this one. */
async function recordDraining(
  ctx: EksContext,
  cluster: string,
  ng: NodegroupDoc,
  r: NodegroupRolloutDoc,
  draining: Record<string, number>,
): Promise<boolean> {
  const same = (a: Record<string, number>, b: Record<string, number>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  if (same(r.draining, draining)) return true;
  const { result } = await mutateCluster(ctx, cluster, (d) => {
    const cur = d.nodegroups?.[ng.nodegroupName];
    if (cur?.arn !== ng.arn || cur.rollout?.updateId !== r.updateId) return false;
    cur.rollout.draining = draining;
    return true;
  });
  return result;
}

type Ending = "succeed" | "fail" | "abandon";

/**
 * Ends the rollout. On success the group takes the new version and release; otherwise the old nodes it
 * cordoned are made schedulable again, the replacements launched beyond desiredSize are drained and removed
 * (newest first, as the scale-down phase would), and the update records why it failed. The group is ACTIVE
 * either way.
 */
async function finish(
  ctx: EksContext,
  cluster: string,
  ng: NodegroupDoc,
  r: NodegroupRolloutDoc,
  instances: readonly Instance[],
  error: { errorCode: string; errorMessage: string; resourceIds: string[] } | undefined,
  ending: Ending = error ? "fail" : "succeed",
): Promise<void> {
  if (ending !== "succeed") {
    for (const i of instances)
      if (releaseOfInstance(i, ng) !== r.releaseVersion) await uncordonNode(cluster, i.privateDnsName);
    const surplus = instances
      .filter((i) => releaseOfInstance(i, ng) === r.releaseVersion)
      .sort((a, b) => b.launchTime.localeCompare(a.launchTime))
      .slice(0, Math.max(0, instances.length - ng.scalingConfig.desiredSize));
    if (surplus.length) {
      await registrar().drain(
        cluster,
        surplus.map((i) => i.privateDnsName),
        STEP_DRAIN_MS,
      );
      await removeInstances(ctx, cluster, surplus);
    }
  }
  try {
    await mutateCluster(ctx, cluster, (d) => {
      const cur = d.nodegroups?.[ng.nodegroupName];
      if (cur?.arn !== ng.arn || cur.rollout?.updateId !== r.updateId) return;
      const u = d.updates.find((x) => x.id === r.updateId);
      if (ending === "succeed") {
        cur.version = r.version;
        cur.releaseVersion = r.releaseVersion;
      }
      if (u?.status === "InProgress") {
        u.status = ending === "succeed" ? "Successful" : "Failed";
        if (error) u.errors.push(error);
      }
      delete cur.rollout;
      if (cur.status === "UPDATING") cur.status = "ACTIVE";
      cur.modifiedAt = nowMs(ctx);
    });
  } catch (e) {
    if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
  }
  log(ending === "succeed" ? "info" : "warn", "node group version update ended", {
    cluster,
    nodegroup: ng.nodegroupName,
    updateId: r.updateId,
    outcome: ending,
    ...(error ? { error: error.errorMessage } : {}),
  });
}
