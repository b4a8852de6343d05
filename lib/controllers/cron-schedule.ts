import { CronExpressionParser } from "cron-parser";

// The CronJob controller's schedule math, kept pure (no clock, no API) so it can be tested exhaustively.
// Semantics follow the Kubernetes cronjob controller (robfig/cron standard 5-field specs, the @descriptors,
// `@every <duration>`, spec.timeZone, startingDeadlineSeconds and the 100-missed-starts warning).

export interface Schedule {
  /** The first activation strictly after `t`. */
  next(t: Date): Date;
  /** The last activation in the chain after `from` that is not after `now` (`from` when there is none). */
  latest(from: Date, now: Date): Date;
}

/** Kubernetes warns (TooManyMissedTimes) past this many missed starts, and still starts the latest one. */
export const MAX_MISSED = 100;

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const GO_UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/** A Go duration ("1h30m", "90s") in milliseconds, or undefined when it does not parse. */
export function parseGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * GO_UNITS[m[2]]!;
    consumed = re.lastIndex;
  }
  return consumed === s.length && s.length > 0 ? total : undefined;
}

/** Parses a CronJob schedule; throws an Error with a Kubernetes-like message when it cannot. */
export function parseSchedule(expr: string, timeZone?: string): Schedule {
  const spec = expr.trim();
  if (timeZone !== undefined && !validTimeZone(timeZone)) throw new Error(`unknown time zone ${timeZone}`);
  const every = /^@every\s+(\S+)$/.exec(spec);
  if (every) {
    const ms = parseGoDuration(every[1]!);
    if (ms === undefined || ms <= 0) throw new Error(`unparseable schedule "${expr}": bad @every duration`);
    // robfig/cron: at least one second, whole seconds, counted from the previous activation.
    const step = Math.max(1000, Math.floor(ms / 1000) * 1000);
    const floor = (t: Date) => Math.floor(t.getTime() / 1000) * 1000;
    return {
      next: (t) => new Date(floor(t) + step),
      latest: (from, now) =>
        now < from ? from : new Date(floor(from) + Math.floor((now.getTime() - floor(from)) / step) * step),
    };
  }
  const fields = DESCRIPTORS[spec] ?? spec;
  if (fields.startsWith("@") || fields.split(/\s+/).length !== 5)
    throw new Error(`unparseable schedule "${expr}": expected exactly 5 fields`);
  // Parse once now so a bad field is reported at parse time, not at the first activation.
  try {
    CronExpressionParser.parse(fields, { currentDate: new Date(0), tz: timeZone ?? "UTC" }).next();
  } catch (e) {
    throw new Error(`unparseable schedule "${expr}": ${(e as Error).message}`);
  }
  const at = (t: Date | number) =>
    CronExpressionParser.parse(fields, { currentDate: t, tz: timeZone ?? "UTC" });
  return {
    next: (t) => at(t).next().toDate(),
    latest: (from, now) => {
      // prev() is strict: start just after now's whole second so an activation exactly at now counts.
      const p = at(Math.floor(now.getTime() / 1000) * 1000 + 1000)
        .prev()
        .toDate();
      return new Date(Math.max(p.getTime(), from.getTime()));
    },
  };
}

function validTimeZone(tz: string): boolean {
  if (tz === "" || tz.toLowerCase() === "local") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface DueInput {
  /** status.lastScheduleTime, else the CronJob's creationTimestamp. */
  earliest: Date;
  now: Date;
  startingDeadlineSeconds?: number;
}

export interface Due {
  /** The most recent activation in (earliest, now] that should start now, if any. */
  scheduled?: Date;
  /** How many activations were missed in the window (including `scheduled`), capped at MAX_MISSED + 1. */
  missed: number;
  /** More than MAX_MISSED activations were missed (Kubernetes emits a TooManyMissedTimes warning). */
  tooManyMissed: boolean;
  /** `scheduled` is older than startingDeadlineSeconds: skip it (Kubernetes' MissedSchedule). */
  tooLate: boolean;
  /** The next activation strictly after now: when to look again. */
  next: Date;
}

/** What a CronJob should do at `now` (Kubernetes' mostRecentScheduleTime + the deadline check). */
export function dueSchedule(s: Schedule, input: DueInput): Due {
  const { now, startingDeadlineSeconds: sds } = input;
  let earliest = input.earliest;
  if (sds !== undefined) {
    const deadline = new Date(now.getTime() - sds * 1000);
    if (deadline > earliest) earliest = deadline;
  }
  let scheduled: Date | undefined;
  let missed = 0;
  let t = s.next(earliest);
  while (t <= now && missed <= MAX_MISSED) {
    scheduled = t;
    missed++;
    t = s.next(t);
  }
  if (missed > MAX_MISSED) {
    // Too many to walk: jump straight to the latest activation not after now.
    scheduled = s.latest(t, now);
    t = s.next(scheduled);
  }
  const tooLate = !!scheduled && sds !== undefined && scheduled.getTime() < now.getTime() - sds * 1000;
  return { scheduled, missed, tooManyMissed: missed > MAX_MISSED, tooLate, next: t };
}

/** Job name for an activation: Kubernetes uses the scheduled time in minutes since the epoch. */
export function jobNameFor(cronJobName: string, scheduled: Date): string {
  return `${cronJobName}-${Math.floor(scheduled.getTime() / 60_000)}`;
}
