// The pure planning of a managed node group's rolling update (UpdateNodegroupVersion), in EKS's phases
// (eks-nodegroups.md, "Update behaviour"):
// - scale up: replacement instances of the new release first, up to a surge of max(2 × zones, maxUnavailable)
//   above the desired size, never more replacements than the desired size;
// - upgrade: at most maxUnavailable old nodes drained at a time (cordon, evict: PodDisruptionBudgets
//   respected); a drained node is removed; a node whose pods keep refusing eviction past the deadline fails
//   the update, or with `force` has its pods deleted after a short wait;
// - scale down: replacements beyond the desired size go (drained, as a scale-in).
// Each call looks at the group as it is now and says what the next bounded step is, so the loop that runs it
// (lib/fleet/nodegroup-rollout.ts) is level-triggered: a repeated or lost step only repeats or delays work.

/** What one step of a rollout or delete says about the next. */
export interface StepResult {
  done: boolean;
  /** When to run the next step. */
  requeueAfterSeconds?: number;
}

export interface RolloutInstance {
  id: string;
  /** The node name (the instance's private DNS name). */
  name: string;
  zone: string;
  /** ISO 8601. */
  launchTime: string;
  /** Launched with the update's target release. */
  isNew: boolean;
}

export interface RolloutInput {
  instances: readonly RolloutInstance[];
  desired: number;
  zones: number;
  maxUnavailable: number;
  /** Instance id → epoch ms its node began draining (kept in the group's record between steps). */
  draining: Readonly<Record<string, number>>;
  now: number;
}

export type RolloutPlan =
  /** Launch this many replacements. */
  | { kind: "launch"; count: number }
  /** Drain these old nodes (the ones already draining first); `draining` is the record to keep. */
  | { kind: "upgrade"; nodes: RolloutInstance[]; draining: Record<string, number> }
  /** Drain and remove these surplus replacements. */
  | { kind: "scale-down"; nodes: RolloutInstance[]; draining: Record<string, number> }
  | { kind: "done" };

/** The update's parallelism: maxUnavailable, or the percentage of the desired size (at least 1). */
export function maxUnavailableOf(
  updateConfig: { maxUnavailable?: number; maxUnavailablePercentage?: number },
  desired: number,
): number {
  if (updateConfig.maxUnavailable !== undefined) return Math.max(1, updateConfig.maxUnavailable);
  if (updateConfig.maxUnavailablePercentage !== undefined)
    return Math.max(1, Math.floor((desired * updateConfig.maxUnavailablePercentage) / 100));
  return 1;
}

/** How far above the desired size the group may grow while old and new nodes coexist. */
export const surgeOf = (zones: number, maxUnavailable: number): number => Math.max(2 * zones, maxUnavailable);

const byAge = (a: RolloutInstance, b: RolloutInstance) =>
  a.launchTime.localeCompare(b.launchTime) || a.id.localeCompare(b.id);

/** The next step of the rollout. */
export function planRollout(input: RolloutInput): RolloutPlan {
  const old = input.instances.filter((i) => !i.isNew).sort(byAge);
  const fresh = input.instances.filter((i) => i.isNew).sort(byAge);
  const total = input.instances.length;
  const ceiling = input.desired + surgeOf(input.zones, input.maxUnavailable);
  const launch = Math.min(input.desired - fresh.length, ceiling - total);
  if (launch > 0) return { kind: "launch", count: launch };

  const live = new Set(input.instances.map((i) => i.id));
  const kept = Object.fromEntries(Object.entries(input.draining).filter(([id]) => live.has(id)));
  if (old.length) {
    const inFlight = old.filter((i) => i.id in kept);
    const more = old
      .filter((i) => !(i.id in kept))
      .slice(0, Math.max(0, input.maxUnavailable - inFlight.length));
    const nodes = [...inFlight, ...more];
    const draining = { ...kept };
    for (const i of more) draining[i.id] = input.now;
    return { kind: "upgrade", nodes, draining };
  }
  if (fresh.length > input.desired) {
    const surplus = fresh.length - input.desired;
    // The newest go first (the nodes the pods moved to last are the oldest replacements).
    const inFlight = fresh.filter((i) => i.id in kept);
    const more = [...fresh]
      .reverse()
      .filter((i) => !(i.id in kept))
      .slice(0, Math.max(0, surplus - inFlight.length));
    const nodes = [...inFlight, ...more].slice(0, surplus);
    const draining = { ...kept };
    for (const i of more) draining[i.id] = input.now;
    return { kind: "scale-down", nodes, draining };
  }
  return { kind: "done" };
}

export interface UndrainedVerdict {
  /** Nodes whose remaining pods are deleted outright (force, past the short wait). */
  force: string[];
  /** Nodes past the eviction deadline without force: the update fails. */
  overdue: string[];
}

/** What to do about nodes whose pods still refuse eviction. */
export function judgeUndrained(
  ids: readonly string[],
  draining: Readonly<Record<string, number>>,
  opts: { now: number; force: boolean; evictionTimeoutMs: number; forceAfterMs: number },
): UndrainedVerdict {
  const force: string[] = [];
  const overdue: string[] = [];
  for (const id of ids) {
    const waited = opts.now - (draining[id] ?? opts.now);
    if (opts.force && waited >= opts.forceAfterMs) force.push(id);
    else if (!opts.force && waited >= opts.evictionTimeoutMs) overdue.push(id);
  }
  return { force, overdue };
}

/** EKS's message when pods would not leave within the deadline. */
export const podEvictionFailure = (nodegroup: string): string =>
  `Reached max retries while trying to evict pods from nodes in node group ${nodegroup}`;

const DEFAULT_EVICTION_TIMEOUT_MS = 120_000;

/**
 * How long pods may refuse eviction before an update fails. EKS waits 15 minutes; the simulation defaults
 * to 2, and KUMULUS_NODEGROUP_EVICTION_TIMEOUT_SECONDS sets it.
 */
export function evictionTimeoutMs(): number {
  const s = Number(process.env.KUMULUS_NODEGROUP_EVICTION_TIMEOUT_SECONDS);
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_EVICTION_TIMEOUT_MS;
}

/** How long a forced update still tries eviction before deleting the pods. */
export const FORCE_AFTER_MS = 10_000;
