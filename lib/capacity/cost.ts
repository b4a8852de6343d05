import type { CapacityType, Instance } from "./instance.ts";

// What a cluster's capacity costs: each instance is billed its launch-time hourly price from launchTime to
// terminatedTime (or now), per second with a one-minute minimum, as EC2 Linux and Fargate bill. So the cost so
// far is a sum over the cluster's instance records, terminated ones included, and the cost per hour now is the
// sum of the live ones' prices.

/** Billing's minimum, in ms. */
export const MINIMUM_BILLED_MS = 60_000;

/** The ms billed for an instance up to `now` (0 before its launch). */
export function billedMs(i: Instance, now: number): number {
  const start = Date.parse(i.launchTime);
  const end = Math.min(now, i.terminatedTime ? Date.parse(i.terminatedTime) : now);
  if (now < start) return 0;
  return Math.max(MINIMUM_BILLED_MS, end - start);
}

/** USD an instance has cost up to `now`. */
export function instanceCost(i: Instance, now: number): number {
  return (i.hourlyPrice * billedMs(i, now)) / 3_600_000;
}

/** Whether the instance is billed at `now` (launched, not yet terminated). */
export function billedNow(i: Instance, now: number): boolean {
  return Date.parse(i.launchTime) <= now && (!i.terminatedTime || Date.parse(i.terminatedTime) > now);
}

export interface CostLine {
  instanceType: string;
  capacityType: CapacityType;
  /** Instances billed now. */
  live: number;
  /** Every instance of this line so far, live or not. */
  launched: number;
  perHourNow: number;
  soFar: number;
}

export interface CostSummary {
  /** ISO time the summary is for. */
  at: string;
  /** USD per hour of what is live now. */
  perHourNow: number;
  /** USD since the first launch. */
  soFar: number;
  /** One line per instance type and capacity type (Fargate pods are one line), by cost so far, largest first. */
  lines: CostLine[];
}

/** Sums a cluster's instances (all of them, terminated ones too) at `now`. */
export function costSummary(instances: readonly Instance[], now: number): CostSummary {
  const lines = new Map<string, CostLine>();
  for (const i of instances) {
    const key = `${i.instanceType}|${i.capacityType}`;
    let line = lines.get(key);
    if (!line) {
      line = {
        instanceType: i.instanceType,
        capacityType: i.capacityType,
        live: 0,
        launched: 0,
        perHourNow: 0,
        soFar: 0,
      };
      lines.set(key, line);
    }
    line.launched++;
    line.soFar += instanceCost(i, now);
    if (billedNow(i, now)) {
      line.live++;
      line.perHourNow += i.hourlyPrice;
    }
  }
  const sorted = [...lines.values()].sort(
    (a, b) =>
      b.soFar - a.soFar ||
      a.instanceType.localeCompare(b.instanceType) ||
      a.capacityType.localeCompare(b.capacityType),
  );
  return {
    at: new Date(now).toISOString(),
    perHourNow: sorted.reduce((s, l) => s + l.perHourNow, 0),
    soFar: sorted.reduce((s, l) => s + l.soFar, 0),
    lines: sorted,
  };
}
