import { describe, expect, it } from "vitest";
import {
  dueSchedule,
  jobNameFor,
  MAX_MISSED,
  parseGoDuration,
  parseSchedule,
} from "../../lib/controllers/cron-schedule.ts";
import { backoffSeconds, formatIndexes, parseIndexes } from "../../lib/controllers/job-status.ts";

const d = (s: string) => new Date(s);
const iso = (x: Date | undefined) => x?.toISOString();

describe("CronJob schedules", () => {
  it("computes the next activation of 5-field schedules and descriptors", () => {
    expect(iso(parseSchedule("*/1 * * * *").next(d("2024-01-01T00:00:30Z")))).toBe(
      "2024-01-01T00:01:00.000Z",
    );
    expect(iso(parseSchedule("*/15 * * * *").next(d("2024-01-01T00:15:00Z")))).toBe(
      "2024-01-01T00:30:00.000Z",
    );
    expect(iso(parseSchedule("@hourly").next(d("2024-01-01T00:10:00Z")))).toBe("2024-01-01T01:00:00.000Z");
    expect(iso(parseSchedule("@daily").next(d("2024-01-01T00:10:00Z")))).toBe("2024-01-02T00:00:00.000Z");
    expect(iso(parseSchedule("@midnight").next(d("2024-01-01T00:10:00Z")))).toBe("2024-01-02T00:00:00.000Z");
    expect(iso(parseSchedule("@weekly").next(d("2024-01-01T00:10:00Z")))).toBe("2024-01-07T00:00:00.000Z");
    expect(iso(parseSchedule("@monthly").next(d("2024-01-01T00:10:00Z")))).toBe("2024-02-01T00:00:00.000Z");
    expect(iso(parseSchedule("@yearly").next(d("2024-01-01T00:10:00Z")))).toBe("2025-01-01T00:00:00.000Z");
    expect(iso(parseSchedule("0 9 * * 1-5").next(d("2024-01-06T10:00:00Z")))).toBe(
      "2024-01-08T09:00:00.000Z",
    );
  });

  it("honours spec.timeZone", () => {
    expect(iso(parseSchedule("0 9 * * *", "America/New_York").next(d("2024-01-01T00:00:00Z")))).toBe(
      "2024-01-01T14:00:00.000Z",
    );
    expect(iso(parseSchedule("0 9 * * *", "Asia/Tokyo").next(d("2024-01-01T01:00:00Z")))).toBe(
      "2024-01-02T00:00:00.000Z",
    );
  });

  it("supports @every with Go durations", () => {
    expect(parseGoDuration("1h30m")).toBe(5_400_000);
    expect(parseGoDuration("90s")).toBe(90_000);
    expect(parseGoDuration("5x")).toBeUndefined();
    expect(iso(parseSchedule("@every 5m").next(d("2024-01-01T00:00:00Z")))).toBe("2024-01-01T00:05:00.000Z");
    const due = dueSchedule(parseSchedule("@every 1m"), {
      earliest: d("2024-01-01T00:00:00Z"),
      now: d("2024-01-01T00:03:30Z"),
    });
    expect(iso(due.scheduled)).toBe("2024-01-01T00:03:00.000Z");
    expect(due.missed).toBe(3);
  });

  it("rejects bad schedules and time zones", () => {
    expect(() => parseSchedule("* * * *")).toThrow(/5 fields/);
    expect(() => parseSchedule("61 * * * *")).toThrow(/unparseable/);
    expect(() => parseSchedule("@sometimes")).toThrow(/unparseable/);
    expect(() => parseSchedule("@every banana")).toThrow(/@every/);
    expect(() => parseSchedule("0 * * * *", "Mars/Olympus")).toThrow(/time zone/);
  });

  it("finds nothing due before the first activation, and when to look again", () => {
    const due = dueSchedule(parseSchedule("*/5 * * * *"), {
      earliest: d("2024-01-01T00:01:00Z"),
      now: d("2024-01-01T00:04:59Z"),
    });
    expect(due.scheduled).toBeUndefined();
    expect(due.missed).toBe(0);
    expect(iso(due.next)).toBe("2024-01-01T00:05:00.000Z");
  });

  it("starts the most recent missed activation, counting the missed ones", () => {
    const due = dueSchedule(parseSchedule("*/1 * * * *"), {
      earliest: d("2024-01-01T00:00:00Z"),
      now: d("2024-01-01T00:05:10Z"),
    });
    expect(iso(due.scheduled)).toBe("2024-01-01T00:05:00.000Z");
    expect(due.missed).toBe(5);
    expect(due.tooManyMissed).toBe(false);
    expect(iso(due.next)).toBe("2024-01-01T00:06:00.000Z");
  });

  it("counts an activation exactly at now and none at the last schedule time", () => {
    const s = parseSchedule("*/1 * * * *");
    const at = dueSchedule(s, { earliest: d("2024-01-01T00:00:00Z"), now: d("2024-01-01T00:01:00Z") });
    expect(iso(at.scheduled)).toBe("2024-01-01T00:01:00.000Z");
    const same = dueSchedule(s, { earliest: d("2024-01-01T00:01:00Z"), now: d("2024-01-01T00:01:00.900Z") });
    expect(same.scheduled).toBeUndefined();
    expect(iso(same.next)).toBe("2024-01-01T00:02:00.000Z");
  });

  it("warns about too many missed starts and still starts the latest", () => {
    const due = dueSchedule(parseSchedule("*/1 * * * *"), {
      earliest: d("2024-01-01T00:00:00Z"),
      now: d("2024-01-03T07:42:20Z"),
    });
    expect(due.tooManyMissed).toBe(true);
    expect(due.missed).toBeGreaterThan(MAX_MISSED);
    expect(iso(due.scheduled)).toBe("2024-01-03T07:42:00.000Z");
    expect(iso(due.next)).toBe("2024-01-03T07:43:00.000Z");
  });

  it("limits the window with startingDeadlineSeconds", () => {
    const s = parseSchedule("*/1 * * * *");
    // Long ago, but the deadline only looks back 200 s: no TooManyMissedTimes, the latest one starts.
    const due = dueSchedule(s, {
      earliest: d("2024-01-01T00:00:00Z"),
      now: d("2024-01-03T07:42:20Z"),
      startingDeadlineSeconds: 200,
    });
    expect(due.tooManyMissed).toBe(false);
    expect(due.missed).toBe(3);
    expect(iso(due.scheduled)).toBe("2024-01-03T07:42:00.000Z");
    expect(due.tooLate).toBe(false);
    // An hourly activation 20 minutes ago, with a 60 s deadline: nothing to start.
    const late = dueSchedule(parseSchedule("@hourly"), {
      earliest: d("2024-01-01T00:00:00Z"),
      now: d("2024-01-01T01:20:00Z"),
      startingDeadlineSeconds: 60,
    });
    expect(late.scheduled).toBeUndefined();
    expect(iso(late.next)).toBe("2024-01-01T02:00:00.000Z");
  });

  it("names Jobs by the scheduled minute since the epoch", () => {
    expect(jobNameFor("backup", d("2024-01-01T00:05:00Z"))).toBe(`backup-${1704067500 / 60}`);
  });
});

describe("Job helpers", () => {
  it("formats and parses completed indexes", () => {
    expect(formatIndexes([0, 1, 2, 4, 6, 7])).toBe("0-2,4,6,7");
    expect(formatIndexes([])).toBe("");
    expect([...parseIndexes("0-2,4,6-7")]).toEqual([0, 1, 2, 4, 6, 7]);
    expect(parseIndexes(undefined).size).toBe(0);
  });

  it("backs off 10 s doubled per failure, capped at 6 minutes", () => {
    expect([0, 1, 2, 3, 6, 40].map(backoffSeconds)).toEqual([0, 10, 20, 40, 320, 360]);
  });
});
