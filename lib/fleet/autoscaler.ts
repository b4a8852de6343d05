import { hasTaint } from "../api/nodes.ts";
import type { KubeObject } from "../api/types.ts";
import type { Instance } from "../capacity/instance.ts";
import type { ApiClient } from "../client/client.ts";
import { clientFor } from "../client/runtime.ts";
import { inRegionOf, mutateCluster } from "../eks/mutate.ts";
import { asgNameOf, drainInstances, groupInstances, removeInstances } from "../eks/nodegroups.ts";
import type { ClusterDoc, EksContext, NodegroupDoc } from "../eks/repo.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { converge, notTriggered, releaseNode, removeNode, scaleUp } from "./autoscaler-actions.ts";
import { groupOptions, inBackoff, optedIn } from "./autoscaler-options.ts";
import {
  type GroupDown,
  NODEGROUP_LABEL,
  planScaleDown,
  TO_BE_DELETED_TAINT,
} from "./autoscaler-scale-down.ts";
import { awaitsScaleUp, type GroupSim, planScaleUp } from "./autoscaler-scale-up.ts";
import { groupPrice, groupZones, templateNode } from "./autoscaler-template.ts";
import { fleetContext } from "./context.ts";

// The Cluster Autoscaler for managed node groups that opt in with its auto-discovery tags, one pass per
// cluster at a time (one FIFO message group per cluster). A pass reads the cluster record and stops there
// when no group opted in; otherwise it lists nodes and pods and:
// - finishes or undoes a removal an earlier pass left half-way (a node still tainted ToBeDeleted…), and
//   launches what a group lacks of its desiredSize (as its Auto Scaling group would);
// - scales up for unschedulable pods (autoscaler-scale-up.ts), with TriggeredScaleUp / NotTriggerScaleUp;
// - otherwise scales down (autoscaler-scale-down.ts): the "unneeded since" times live in the cluster record,
//   so a restarted loop keeps counting.
// It is woken by pods the scheduler marks Unschedulable and by nodes registering, and requeues itself
// (CA's 10-second scan) while a group is above its minSize or after a scale-up; otherwise nothing runs.

const MANAGER = "eks";
const CONTROLLER = "cluster-autoscaler";
/** CA's --scan-interval. */
const SCAN_SECONDS = 10;
const AFTER_SCALE_UP_SECONDS = 5;

const groupKey = (cluster: string) => `${cluster}|${CONTROLLER}`;

export const autoscalerModule: ControllerModule = {
  name: CONTROLLER,
  objectKinds: ["/pods"],
  route(ch, emit) {
    const kind = `${ch.group}/${ch.plural}`;
    const wake =
      (kind === "/pods" && ch.type !== "DELETED" && ch.object !== undefined && awaitsScaleUp(ch.object)) ||
      (kind === "/nodes" && ch.type === "ADDED");
    if (wake) emit("controllers", CONTROLLER, "*", groupKey(ch.cluster));
  },
  reconcilers: { controllers: { [CONTROLLER]: (item) => reconcileAutoscaler(item) } },
};

/** The next timer this process has asked for, per cluster: one chain of scans, not one per wake. */
const timers = new Map<string, number>();

async function requeue(cluster: string, seconds: number): Promise<void> {
  const due = Date.now() + seconds * 1000;
  const pending = timers.get(cluster);
  if (pending !== undefined && pending > Date.now() && pending <= due) return;
  timers.set(cluster, due);
  await requeueAfter([
    {
      queue: "controllers",
      item: { cluster, controller: CONTROLLER, key: "*" },
      group: groupKey(cluster),
      afterSeconds: seconds,
    },
  ]);
}

interface Group {
  ng: NodegroupDoc;
  live: Instance[];
}

export async function reconcileAutoscaler(
  item: WorkItem,
  loopCtx: EksContext = fleetContext(),
): Promise<void> {
  const hit = await loopCtx.repo.get(item.cluster);
  if (!hit) return;
  const ctx = inRegionOf(loopCtx, hit.doc);
  const cluster = hit.doc;
  const opted = Object.values(cluster.nodegroups ?? {}).filter((ng) => optedIn(ng, cluster.name));
  if (opted.length === 0) return;
  // A group being created or updated by the EKS API is left alone until it is ACTIVE again: look then.
  const settling = opted.some((ng) => ng.status === "CREATING" || ng.status === "UPDATING");
  const managed = opted.filter((ng) => ng.status === "ACTIVE");
  if (managed.length === 0) {
    if (settling) await requeue(cluster.name, SCAN_SECONDS);
    return;
  }
  const api = clientFor(cluster.name, MANAGER);
  const groups: Group[] = [];
  for (const ng of managed) groups.push({ ng, live: await groupInstances(ctx, cluster.name, ng) });
  const list = () =>
    Promise.all([
      api.list("/api/v1/nodes").then((r) => r.items),
      api.list("/api/v1/pods").then((r) => r.items),
    ]);
  let [nodes, pods] = await list();
  if (await recover(ctx, api, cluster, groups, nodes)) [nodes, pods] = await list();
  const pending = pods.filter(awaitsScaleUp);
  let scaled = false;
  let waiting = false;
  if (pending.length) {
    const plan = planScaleUp(
      nodes,
      pods,
      pending,
      groups.map((g) => simOf(ctx, cluster, g)),
    );
    waiting = plan.waiting.length > 0;
    if (plan.scaleUp) {
      const g = groups.find((x) => x.ng.nodegroupName === plan.scaleUp!.group)!;
      scaled = await scaleUp(ctx, api, cluster.name, plan.scaleUp, g.live);
    } else await notTriggered(api, plan.unhelped);
  }
  // As CA: no scale-down in a loop that scaled up, nor while pods wait for room that is coming (looking
  // again only while there is something to wait for: nodes coming, or nodes that could go).
  const growing = groups.some(
    (g) =>
      g.ng.scalingConfig.desiredSize > g.live.length ||
      g.ng.scalingConfig.desiredSize > g.ng.scalingConfig.minSize,
  );
  const next = scaled
    ? AFTER_SCALE_UP_SECONDS
    : waiting
      ? growing
        ? SCAN_SECONDS
        : undefined
      : await scaleDown(ctx, api, cluster, groups, nodes, pods);
  const after = next ?? (settling ? SCAN_SECONDS : undefined);
  if (after !== undefined) await requeue(cluster.name, after);
}

function simOf(ctx: EksContext, cluster: ClusterDoc, g: Group): GroupSim {
  const zones = groupZones(cluster, g.ng, ctx.region);
  return {
    name: g.ng.nodegroupName,
    asg: asgNameOf(g.ng),
    desired: g.ng.scalingConfig.desiredSize,
    max: g.ng.scalingConfig.maxSize,
    upcoming: g.ng.scalingConfig.desiredSize - g.live.length,
    price: groupPrice(g.ng, zones, ctx.region),
    zones,
    backoff: inBackoff(cluster, g.ng.nodegroupName, Date.now()),
    template: (k, tag) => templateNode(cluster, g.ng, ctx.region, zones, k, tag),
  };
}

const taintedByUs = (inst: Instance, nodes: Map<string, KubeObject>) =>
  hasTaint(nodes.get(inst.privateDnsName), TO_BE_DELETED_TAINT);

/**
 * What an interrupted pass left: a node still tainted ToBeDeleted is removed if its group already counts it
 * out (more instances than desiredSize), else released; a group short of its desiredSize gets its instances.
 * True when it changed something.
 */
async function recover(
  ctx: EksContext,
  api: ApiClient,
  cluster: ClusterDoc,
  groups: Group[],
  nodeList: KubeObject[],
): Promise<boolean> {
  const nodes = new Map(nodeList.map((n) => [n.metadata.name!, n]));
  let changed = false;
  for (const g of groups) {
    const desired = g.ng.scalingConfig.desiredSize;
    if (g.live.length < desired) {
      await converge(ctx, cluster, g.ng.nodegroupName, g.live);
      g.live = await groupInstances(ctx, cluster.name, g.ng);
      changed = true;
      continue;
    }
    const tainted = g.live.filter((i) => taintedByUs(i, nodes));
    let extra = g.live.length - desired;
    for (const inst of tainted) {
      if (extra > 0) {
        await drainInstances(cluster.name, [inst]);
        await removeInstances(ctx, cluster.name, [inst]);
        extra--;
      } else await releaseNode(api, cluster.name, inst);
    }
    if (tainted.length) {
      g.live = await groupInstances(ctx, cluster.name, g.ng);
      changed = true;
    }
  }
  return changed;
}

/** Marks and removes unneeded nodes; returns when to look again (undefined: every group is at its minimum). */
async function scaleDown(
  ctx: EksContext,
  api: ApiClient,
  cluster: ClusterDoc,
  groups: Group[],
  nodes: KubeObject[],
  pods: KubeObject[],
): Promise<number | undefined> {
  const above = groups.filter((g) => g.ng.scalingConfig.desiredSize > g.ng.scalingConfig.minSize);
  const recorded = cluster.clusterAutoscaler?.unneededSince ?? {};
  if (above.length === 0) {
    if (Object.keys(recorded).length) await saveSince(ctx, cluster.name, {});
    return undefined;
  }
  const pdbs = (await api.list("/apis/policy/v1/poddisruptionbudgets")).items;
  const down: GroupDown[] = above.map((g) => ({
    name: g.ng.nodegroupName,
    min: g.ng.scalingConfig.minSize,
    size: g.ng.scalingConfig.desiredSize,
    ...groupOptions(g.ng),
  }));
  const now = Date.now();
  const plan = planScaleDown(nodes, pods, pdbs, down, recorded, now);
  const since = Object.fromEntries(plan.unneeded);
  if (!sameSince(since, recorded)) await saveSince(ctx, cluster.name, since);
  for (const [node, why] of plan.needed)
    log("debug", "cluster autoscaler: node needed", { cluster: cluster.name, node, why });
  const byNode = new Map(nodes.map((n) => [n.metadata.name!, n]));
  for (const r of plan.remove) {
    const g = groups.find((x) => x.ng.nodegroupName === r.group)!;
    const inst = g.live.find((i) => i.privateDnsName === r.node);
    const node = byNode.get(r.node);
    if (!inst || !node || node.metadata.labels?.[NODEGROUP_LABEL] !== r.group) continue;
    await removeNode(ctx, api, cluster.name, r.group, node, inst, r.pods);
  }
  // Look again at the next scan, or sooner when an unneeded node's time is up.
  let next = SCAN_SECONDS;
  for (const [node, from] of plan.unneeded) {
    if (plan.remove.some((r) => r.node === node)) continue;
    const g = down.find((d) => d.name === byNode.get(node)?.metadata.labels?.[NODEGROUP_LABEL]);
    if (g) next = Math.min(next, Math.max(1, Math.ceil((from + g.unneededMs - now) / 1000)));
  }
  return next;
}

function sameSince(a: Record<string, number>, b: Readonly<Record<string, number>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

async function saveSince(ctx: EksContext, cluster: string, since: Record<string, number>): Promise<void> {
  await mutateCluster(ctx, cluster, (d) => {
    // Backoffs stay while they run (and their doubling is remembered until CA's reset timeout).
    const backoff = d.clusterAutoscaler?.backoff;
    if (Object.keys(since).length || backoff)
      d.clusterAutoscaler = { unneededSince: since, ...(backoff ? { backoff } : {}) };
    else delete d.clusterAutoscaler;
  });
}
