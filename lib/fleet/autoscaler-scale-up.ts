import { podSpecOf, podStatusOf } from "../api/pods.ts";
import type { KubeObject } from "../api/types.ts";
import { priorityOf } from "../scheduler/preemption.ts";
import { fits, schedule } from "../scheduler/schedule.ts";
import { Snapshot } from "../scheduler/snapshot.ts";
import type { NodeInfo } from "../scheduler/types.ts";

// The Cluster Autoscaler's scale-up decision, pure (CA's ScaleUp orchestrator):
// 1. Pods that would fit the nodes there are, or the nodes already asked for (a group's desiredSize above the
//    instances it has: "upcoming" nodes, simulated from its template), are left to the scheduler: they wait,
//    so the same pods never scale a group twice while its nodes come up.
// 2. For every other pending pod, each group is an option: a group at maxSize is skipped ("max node group
//    size reached"), and so is one in backoff after a failed scale-up; otherwise the pod is tried on an empty template node with the scheduler's own filters
//    (a pod no template fits is rejected with the filter's reason, as CA's predicate checker words it), and
//    the pods that fit are bin-packed first-fit onto as many template nodes as they need, within maxSize.
// 3. The expander picks one option: `price`, the group whose node is cheapest per hour; then the one that
//    helps more pods; then by name. Only that group grows this loop.
// 4. With no option, each pod gets the reasons every group gave, counted ("2 max node group size reached").

export interface GroupSim {
  name: string;
  /** The Auto Scaling group's name: CA's node group id, as TriggeredScaleUp prints it. */
  asg: string;
  desired: number;
  max: number;
  /** Nodes asked for that have not registered yet (desiredSize above the group's live instances). */
  upcoming: number;
  /** $/h of one node. */
  price: number;
  /** The zones its subnets span. */
  zones: string[];
  /** After a failed scale-up CA leaves the group alone for a while ("in backoff after failed scale-up"). */
  backoff?: boolean;
  /** The k-th simulated node of the group; `tag` keeps names apart. */
  template(k: number, tag: string): KubeObject;
}

export interface ScaleUp {
  group: string;
  asg: string;
  from: number;
  to: number;
  max: number;
  zones: string[];
  /** The pods the new nodes are for. */
  pods: KubeObject[];
}

export interface ScaleUpPlan {
  scaleUp?: ScaleUp;
  /** Pods that fit existing or upcoming nodes: the scheduler will place them. */
  waiting: KubeObject[];
  /** Pods no group can help, each with the reasons of NotTriggerScaleUp (set only when nothing scales up). */
  unhelped: { pod: KubeObject; reasons: string }[];
}

export const MAX_SIZE_REACHED = "max node group size reached";
export const IN_BACKOFF = "in backoff after failed scale-up";

/** TriggeredScaleUp's message: CA prints its []ScaleUpInfo with %v. */
export const triggeredMessage = (s: Pick<ScaleUp, "asg" | "from" | "to" | "max">): string =>
  `pod triggered scale-up: [{${s.asg} ${s.from}->${s.to} (max: ${s.max})}]`;

export const notTriggeredMessage = (reasons: string): string => `pod didn't trigger scale-up: ${reasons}`;

/** FailedScaleUp's message on the pods a scale-up was for, when the group could not launch its nodes. */
export const failedScaleUpMessage = (zones: readonly string[], why: string): string =>
  `Node scale up in zones ${zones.join(",")} associated with this pod failed: ${why}. Pod is at risk of not being scheduled.`;

/** Like the scheduler's queue: higher priority first, then older. */
function byQueueOrder(a: KubeObject, b: KubeObject): number {
  return (
    priorityOf(b) - priorityOf(a) ||
    (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") ||
    (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "")
  );
}

interface Option {
  group: GroupSim;
  nodes: number;
  pods: KubeObject[];
}

/** One group's option for these pods, and the reason each pod it cannot take was rejected. */
function optionFor(
  g: GroupSim,
  nodes: KubeObject[],
  pods: KubeObject[],
  pending: KubeObject[],
  rejected: Map<KubeObject, string[]>,
): Option {
  const room = Math.min(g.max - g.desired, pending.length);
  const templates = Array.from({ length: room }, (_, k) => g.template(k, "template"));
  const probe = g.template(0, "probe");
  const snap = new Snapshot([...nodes, probe, ...templates], pods);
  const probeInfo = snap.byName.get(probe.metadata.name!)!;
  const infos = templates.map((t) => snap.byName.get(t.metadata.name!)!);
  const used = new Set<NodeInfo>();
  const helped: KubeObject[] = [];
  for (const pod of pending) {
    const why = fits(pod, probeInfo, snap);
    if (why) {
      rejected.get(pod)?.push(why);
      continue;
    }
    // First fit, used nodes first: as few new nodes as the pods need.
    const order = [...infos.filter((i) => used.has(i)), ...infos.filter((i) => !used.has(i))];
    const dest = order.find((i) => !fits(pod, i, snap));
    if (!dest) continue;
    snap.add(dest, pod);
    used.add(dest);
    helped.push(pod);
  }
  return { group: g, nodes: used.size, pods: helped };
}

/** Counted reasons, "N reason", sorted so the message is stable. */
export function reasonsMessage(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([r, c]) => `${c} ${r}`)
    .join(", ");
}

export function planScaleUp(
  nodes: KubeObject[],
  pods: KubeObject[],
  pending: KubeObject[],
  groups: GroupSim[],
): ScaleUpPlan {
  const queue = [...pending].sort(byQueueOrder);
  const upcoming = groups.flatMap((g) =>
    Array.from({ length: Math.max(0, g.upcoming) }, (_, k) => g.template(k, "upcoming")),
  );
  const snap = new Snapshot([...nodes, ...upcoming], pods);
  const waiting: KubeObject[] = [];
  const left: KubeObject[] = [];
  for (const pod of queue) {
    const r = schedule(pod, snap);
    if ("node" in r) {
      snap.add(snap.byName.get(r.node)!, pod);
      waiting.push(pod);
    } else left.push(pod);
  }
  if (left.length === 0) return { waiting, unhelped: [] };

  const reasons = new Map<KubeObject, string[]>(left.map((p) => [p, []]));
  const options: Option[] = [];
  for (const g of [...groups].sort((a, b) => a.name.localeCompare(b.name))) {
    if (g.backoff) {
      for (const l of reasons.values()) l.push(IN_BACKOFF);
      continue;
    }
    if (g.desired >= g.max) {
      for (const l of reasons.values()) l.push(MAX_SIZE_REACHED);
      continue;
    }
    const o = optionFor(g, nodes, pods, left, reasons);
    if (o.pods.length) options.push(o);
  }
  const best = options.sort(
    (a, b) =>
      a.group.price - b.group.price ||
      b.pods.length - a.pods.length ||
      a.group.name.localeCompare(b.group.name),
  )[0];
  if (best) {
    const g = best.group;
    return {
      scaleUp: {
        group: g.name,
        asg: g.asg,
        from: g.desired,
        to: g.desired + best.nodes,
        max: g.max,
        zones: g.zones,
        pods: best.pods,
      },
      waiting,
      unhelped: [],
    };
  }
  return { waiting, unhelped: left.map((pod) => ({ pod, reasons: reasonsMessage(reasons.get(pod) ?? []) })) };
}

/** A pod the scheduler found no node for (PodScheduled=False, reason Unschedulable): CA's trigger. */
export function awaitsScaleUp(p: KubeObject): boolean {
  const spec = podSpecOf(p);
  if (spec.nodeName || p.metadata.deletionTimestamp) return false;
  if ((spec.schedulerName ?? "default-scheduler") !== "default-scheduler") return false;
  return (podStatusOf(p).conditions ?? []).some(
    (c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable",
  );
}
