// The HPA's arithmetic, pure (kube's replica_calculator.go and the behavior normalisation in horizontal.go):
// replicas from one metric, stabilization windows over past recommendations, and scaling policies over past
// scale events. The controller keeps the histories in the HPA's status because it is stateless between runs.

export const TOLERANCE = 0.1;

export interface PodSample {
  /** Usage in the metric's unit (millicores or bytes), undefined when the pod has no metrics yet. */
  usage?: number;
  /** The pod's request for the resource (same unit). */
  request: number;
}

export interface Target {
  type: "Utilization" | "AverageValue";
  /** Percent for Utilization; millicores or bytes for AverageValue. */
  value: number;
}

export interface MetricResult {
  replicas: number;
  /** Percent of requests (Utilization). */
  utilization?: number;
  /** Average usage per pod with metrics. */
  average: number;
}

/** Desired replicas for one Resource metric; pods without metrics count as 0 on scale-up, as target on scale-down. */
export function replicasFor(current: number, pods: PodSample[], target: Target): MetricResult {
  const measured = pods.filter((p) => p.usage !== undefined);
  const missing = pods.filter((p) => p.usage === undefined);
  if (measured.length === 0)
    throw new Error("did not receive metrics for targeted pods (pods might be unready)");
  const usageSum = measured.reduce((s, p) => s + (p.usage ?? 0), 0);
  const average = usageSum / measured.length;
  const ratioOf = (list: PodSample[], extraUsage: number) => {
    if (target.type === "Utilization") {
      const req = list.reduce((s, p) => s + p.request, 0);
      if (req <= 0) throw new Error("missing request for the resource");
      const util = Math.floor(((list.reduce((s, p) => s + (p.usage ?? 0), 0) + extraUsage) * 100) / req);
      return { ratio: util / target.value, util };
    }
    const avg = (list.reduce((s, p) => s + (p.usage ?? 0), 0) + extraUsage) / list.length;
    return { ratio: avg / target.value, util: undefined };
  };
  const { ratio, util } = ratioOf(measured, 0);
  const result = (replicas: number): MetricResult => ({ replicas, utilization: util, average });
  if (missing.length === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return result(current);
    return result(Math.ceil(ratio * measured.length));
  }
  // Missing pods: assume they use exactly the target when scaling down and nothing when scaling up, so
  // pods still starting neither cause nor hide a scale.
  const all = [...measured, ...missing];
  let extra = 0;
  if (ratio < 1) {
    for (const p of missing)
      extra += target.type === "Utilization" ? (p.request * target.value) / 100 : target.value;
  }
  const next = ratioOf(all, extra).ratio;
  if (Math.abs(1 - next) <= TOLERANCE || (ratio < 1 && next > 1) || (ratio > 1 && next < 1))
    return result(current);
  const replicas = Math.ceil(next * all.length);
  if ((next < 1 && replicas > current) || (next > 1 && replicas < current)) return result(current);
  return result(replicas);
}

export interface Policy {
  type: "Pods" | "Percent";
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: "Max" | "Min" | "Disabled";
  policies?: Policy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

export interface Recommendation {
  /** Epoch seconds. */
  t: number;
  replicas: number;
}

export interface ScaleEvent {
  t: number;
  /** Replicas added (positive) or removed (negative). */
  change: number;
}

const DEFAULT_UP: Required<ScalingRules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Pods", value: 4, periodSeconds: 15 },
    { type: "Percent", value: 100, periodSeconds: 15 },
  ],
};
const DEFAULT_DOWN: Required<ScalingRules> = {
  stabilizationWindowSeconds: 300,
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
};

export function rulesOf(behavior: Behavior | undefined): {
  up: Required<ScalingRules>;
  down: Required<ScalingRules>;
} {
  const merge = (d: Required<ScalingRules>, r?: ScalingRules): Required<ScalingRules> => ({
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? d.stabilizationWindowSeconds,
    selectPolicy: r?.selectPolicy ?? d.selectPolicy,
    policies: r?.policies?.length ? r.policies : d.policies,
  });
  return { up: merge(DEFAULT_UP, behavior?.scaleUp), down: merge(DEFAULT_DOWN, behavior?.scaleDown) };
}

export interface Normalized {
  replicas: number;
  /** Why the result differs from the raw recommendation (a ScalingLimited reason), if it does. */
  limitedReason?: "ScaleUpLimit" | "ScaleDownLimit" | "TooManyReplicas" | "TooFewReplicas";
  limitedMessage?: string;
  recommendations: Recommendation[];
}

/** Stabilization, policies and min/max, as kube's normalizeDesiredReplicasWithBehaviors. */
export function normalize(opts: {
  now: number;
  current: number;
  desired: number;
  min: number;
  max: number;
  behavior?: Behavior;
  recommendations: Recommendation[];
  events: ScaleEvent[];
}): Normalized {
  const { now, current, desired, min, max } = opts;
  const { up, down } = rulesOf(opts.behavior);
  let upRec = desired;
  let downRec = desired;
  for (const r of opts.recommendations) {
    if (r.t > now - up.stabilizationWindowSeconds) upRec = Math.min(upRec, r.replicas);
    if (r.t > now - down.stabilizationWindowSeconds) downRec = Math.max(downRec, r.replicas);
  }
  let stabilized = current;
  if (stabilized < upRec) stabilized = upRec;
  if (stabilized > downRec) stabilized = downRec;
  const keep = Math.max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds);
  const recommendations = [
    ...opts.recommendations.filter((r) => r.t > now - keep),
    { t: now, replicas: desired },
  ];
  let replicas = stabilized;
  let limitedReason: Normalized["limitedReason"];
  let limitedMessage: string | undefined;
  if (stabilized > current) {
    const limit = Math.min(rateLimit(up, opts.events, current, now, "up"), max);
    if (stabilized > limit) {
      replicas = limit;
      limitedReason = limit === max ? "TooManyReplicas" : "ScaleUpLimit";
      limitedMessage =
        limit === max
          ? "the desired replica count is more than the maximum replica count"
          : "the desired replica count is increasing faster than the maximum scale rate";
    }
  } else if (stabilized < current) {
    const limit = Math.max(rateLimit(down, opts.events, current, now, "down"), min);
    if (stabilized < limit) {
      replicas = limit;
      limitedReason = limit === min ? "TooFewReplicas" : "ScaleDownLimit";
      limitedMessage =
        limit === min
          ? "the desired replica count is less than the minimum replica count"
          : "the desired replica count is decreasing faster than the maximum scale rate";
    }
  }
  if (replicas > max) {
    replicas = max;
    limitedReason = "TooManyReplicas";
    limitedMessage = "the desired replica count is more than the maximum replica count";
  } else if (replicas < min) {
    replicas = min;
    limitedReason = "TooFewReplicas";
    limitedMessage = "the desired replica count is less than the minimum replica count";
  }
  return { replicas, limitedReason, limitedMessage, recommendations };
}

function rateLimit(
  rules: Required<ScalingRules>,
  events: ScaleEvent[],
  current: number,
  now: number,
  dir: "up" | "down",
): number {
  if (rules.selectPolicy === "Disabled") return current;
  const proposals = rules.policies.map((p) => {
    const changed = events
      .filter((e) => e.t > now - p.periodSeconds && (dir === "up" ? e.change > 0 : e.change < 0))
      .reduce((s, e) => s + Math.abs(e.change), 0);
    const start = dir === "up" ? current - changed : current + changed;
    if (dir === "up") return p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    return p.type === "Pods" ? start - p.value : Math.floor(start * (1 - p.value / 100));
  });
  const pickMost = rules.selectPolicy === "Max";
  if (dir === "up") return pickMost ? Math.max(...proposals) : Math.min(...proposals);
  return pickMost ? Math.min(...proposals) : Math.max(...proposals);
}
