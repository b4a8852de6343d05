import { z } from "zod";
import type { KindInfo, KubeObject, TableColumn } from "../types.ts";
import { age, col } from "./columns.ts";
import { defineKind } from "./define.ts";

// Events in both groups. The apiserver prints both with one printer over the internal type, so the
// events.k8s.io/v1 fields are mapped back to their core/v1 names before printing.

type Obj = Record<string, any>;

function asCore(o: KubeObject): Obj {
  if (o.apiVersion !== "events.k8s.io/v1") return o;
  const e = o as Obj;
  return {
    ...e,
    involvedObject: e.regarding,
    message: e.note,
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
  };
}

function timestamps(e: Obj, now: Date): { first: string; last: string; count: number } {
  const since = (t: string | undefined) => (t ? age(t, now) : "<unknown>");
  const first = e.firstTimestamp ? since(e.firstTimestamp) : since(e.eventTime);
  let last = e.lastTimestamp ? since(e.lastTimestamp) : first;
  let count = e.count || 1;
  if (e.series) {
    last = since(e.series.lastObservedTime);
    count = e.series.count ?? count;
  }
  return { first, last, count };
}

function source(e: Obj): string {
  const comp = e.source?.component || e.reportingComponent || e.reportingController || "";
  const host = e.source?.component ? e.source?.host : e.reportingInstance;
  return host ? `${comp}, ${host}` : comp;
}

const eventColumns: TableColumn[] = [
  col("Last Seen", (o, now) => timestamps(asCore(o), now).last, {
    description: "Time when last occurrence of this event was recorded.",
  }),
  col("Type", (o) => asCore(o).type ?? "", { description: "Type of this event (Normal, Warning)." }),
  col("Reason", (o) => asCore(o).reason ?? "", { description: "Short, machine understandable reason." }),
  col(
    "Object",
    (o) => {
      const io = asCore(o).involvedObject ?? {};
      const kind = String(io.kind ?? "").toLowerCase();
      return io.name ? `${kind}/${io.name}` : kind;
    },
    { description: "The object that this event is about." },
  ),
  col("Subobject", (o) => asCore(o).involvedObject?.fieldPath ?? "", { priority: 1 }),
  col("Source", (o) => source(asCore(o)), {
    priority: 1,
    description: "The component reporting this event.",
  }),
  col("Message", (o) => String(asCore(o).message ?? "").trim(), {
    description: "A human-readable description of the status of this operation.",
  }),
  col("First Seen", (o, now) => timestamps(asCore(o), now).first, { priority: 1 }),
  col("Count", (o, now) => timestamps(asCore(o), now).count, { type: "integer", priority: 1 }),
  { ...col("Name", (o) => o.metadata.name, { priority: 1 }), format: "name" },
];

const loose = z.looseObject({});
const str = () => z.string().optional();
const int = () => z.number().int().optional();
const objectReference = z.looseObject({
  kind: str(),
  namespace: str(),
  name: str(),
  uid: str(),
  apiVersion: str(),
  resourceVersion: str(),
  fieldPath: str(),
});

export const eventKinds: KindInfo[] = [
  defineKind({
    group: "",
    version: "v1",
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
    description: "Event is a report of an event somewhere in the cluster.",
    fields: {
      involvedObject: objectReference.describe("The object that this event is about."),
      reason: str().describe(
        "A short, machine understandable string that gives the reason for the transition.",
      ),
      message: str().describe("A human-readable description of the status of this operation."),
      source: z.object({ component: str(), host: str() }).optional(),
      firstTimestamp: str().nullable(),
      lastTimestamp: str().nullable(),
      count: int(),
      type: str().describe("Type of this event (Normal, Warning), new types could be added in the future"),
      eventTime: str().nullable(),
      series: z.object({ count: int(), lastObservedTime: str() }).optional(),
      action: str(),
      related: objectReference.optional(),
      reportingComponent: str(),
      reportingInstance: str(),
    },
    columns: eventColumns,
    nameFirst: false,
    age: false,
  }),
  defineKind({
    group: "events.k8s.io",
    version: "v1",
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
    description: "Event is a report of an event somewhere in the cluster.",
    fields: {
      eventTime: str().nullable().describe("The time when this Event was first observed."),
      series: z.object({ count: int(), lastObservedTime: str() }).optional(),
      reportingController: str(),
      reportingInstance: str(),
      action: str(),
      reason: str(),
      regarding: objectReference.optional().describe("The object this Event is about."),
      related: objectReference.optional(),
      note: str().describe("A human-readable description of the status of this operation."),
      type: str(),
      deprecatedSource: loose.optional(),
      deprecatedFirstTimestamp: str().nullable(),
      deprecatedLastTimestamp: str().nullable(),
      deprecatedCount: int(),
    },
    columns: eventColumns,
    nameFirst: false,
    age: false,
  }),
];
