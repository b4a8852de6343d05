import { costSummary } from "../capacity/cost.ts";
import type { CapacityType } from "../capacity/instance.ts";
import { capacity } from "./node-host.ts";

// What a cluster's capacity costs, as the cost extension of the EKS API (GET /clusters/{name}/cost, the
// `kumulus get cost` command) and as Prometheus metrics on the cluster's /metrics. Both read the capacity
// records (lib/capacity/cost.ts): each instance at its launch-time price, per second with a one-minute
// minimum, terminated ones included in the cost so far.

export interface CostReportLine {
  kind: "ec2" | "fargate";
  instanceType: string;
  capacityType: CapacityType;
  /** Instances (or Fargate pods) billed now. */
  count: number;
  /** Every instance of the line so far. */
  launched: number;
  hourlyCost: number;
  costSoFar: number;
}

export interface CostReport {
  clusterName: string;
  currency: "USD";
  /** Epoch seconds of the report. */
  at: number;
  /** Epoch seconds of the cluster's first launch (the report's own time when it never launched anything). */
  since: number;
  hourlyCost: number;
  costSoFar: number;
  lines: CostReportLine[];
}

const round = (v: number) => Number(v.toFixed(6));

export async function costReport(region: string, cluster: string, now = Date.now()): Promise<CostReport> {
  const instances = await capacity({ region }).describe(cluster);
  const s = costSummary(instances, now);
  const first = instances.reduce((m, i) => Math.min(m, Date.parse(i.launchTime)), now);
  return {
    clusterName: cluster,
    currency: "USD",
    at: Math.floor(now / 1000),
    since: Math.floor(first / 1000),
    hourlyCost: round(s.perHourNow),
    costSoFar: round(s.soFar),
    lines: s.lines.map((l) => ({
      kind: l.capacityType === "fargate" ? "fargate" : "ec2",
      instanceType: l.instanceType,
      capacityType: l.capacityType,
      count: l.live,
      launched: l.launched,
      hourlyCost: round(l.perHourNow),
      costSoFar: round(l.soFar),
    })),
  };
}

const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** The report as Prometheus text (exposition format 0.0.4). */
export function costMetrics(r: CostReport): string {
  const c = `cluster="${label(r.clusterName)}"`;
  const per = (l: CostReportLine) =>
    `${c},instance_type="${label(l.instanceType)}",capacity_type="${label(l.capacityType)}"`;
  return [
    "# HELP kumulus_cluster_cost_per_hour_usd What the cluster's live capacity costs per hour, in USD.",
    "# TYPE kumulus_cluster_cost_per_hour_usd gauge",
    `kumulus_cluster_cost_per_hour_usd{${c}} ${r.hourlyCost}`,
    "# HELP kumulus_cluster_cost_usd_total What the cluster's capacity has cost so far, in USD.",
    "# TYPE kumulus_cluster_cost_usd_total counter",
    `kumulus_cluster_cost_usd_total{${c}} ${r.costSoFar}`,
    "# HELP kumulus_capacity_instances Instances (and Fargate pods) billed now, by type and capacity type.",
    "# TYPE kumulus_capacity_instances gauge",
    ...r.lines.map((l) => `kumulus_capacity_instances{${per(l)}} ${l.count}`),
    "# HELP kumulus_capacity_cost_per_hour_usd What each type and capacity type costs per hour now, in USD.",
    "# TYPE kumulus_capacity_cost_per_hour_usd gauge",
    ...r.lines.map((l) => `kumulus_capacity_cost_per_hour_usd{${per(l)}} ${l.hourlyCost}`),
    "",
  ].join("\n");
}
