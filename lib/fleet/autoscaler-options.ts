import type { ClusterDoc, NodegroupDoc } from "../eks/repo.ts";

// Which node groups the Cluster Autoscaler manages, and how, read from the group's tags as CA's AWS provider
// reads them from the Auto Scaling group: auto-discovery (`--node-group-auto-discovery=asg:tag=
// k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster>`) and the per-ASG
// `k8s.io/cluster-autoscaler/node-template/autoscaling-options/*` overrides of the scale-down flags.

export const ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled";
export const clusterTag = (cluster: string): string => `k8s.io/cluster-autoscaler/${cluster}`;
const OPTION = "k8s.io/cluster-autoscaler/node-template/autoscaling-options/";

/** CA's defaults: --scale-down-unneeded-time=10m, --scale-down-utilization-threshold=0.5. */
export const DEFAULT_UNNEEDED_MS = 10 * 60_000;
export const DEFAULT_UTILIZATION_THRESHOLD = 0.5;

/**
 * Auto-discovery: both tags present. CA matches the keys (any value); EKS users set `true` and `owned`, so
 * a value that says otherwise ("false") opts the group out.
 */
export function optedIn(ng: Pick<NodegroupDoc, "tags">, cluster: string): boolean {
  const on = ng.tags[ENABLED_TAG];
  const own = ng.tags[clusterTag(cluster)];
  return (
    on !== undefined && on.toLowerCase() !== "false" && own !== undefined && own.toLowerCase() !== "false"
  );
}

export interface GroupOptions {
  unneededMs: number;
  threshold: number;
  ignoreDaemonSetsUtilization: boolean;
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/** A Go duration ("10m0s", "1h30m", "10s", "500ms"); undefined when it is not one. */
export function parseGoDuration(s: string): number | undefined {
  const text = s.trim();
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = re.lastIndex;
  }
  return at > 0 ? total : undefined;
}

/** The group's scale-down options: its tags over CA's defaults; a malformed tag is ignored, as CA does. */
export function groupOptions(ng: Pick<NodegroupDoc, "tags">): GroupOptions {
  const tag = (k: string) => ng.tags[OPTION + k];
  const unneeded = tag("scaledownunneededtime");
  const threshold = Number(tag("scaledownutilizationthreshold"));
  const ignore = tag("ignoredaemonsetsutilization");
  const ms = unneeded === undefined ? undefined : parseGoDuration(unneeded);
  return {
    unneededMs: ms ?? DEFAULT_UNNEEDED_MS,
    threshold:
      tag("scaledownutilizationthreshold") !== undefined && Number.isFinite(threshold) && threshold >= 0
        ? threshold
        : DEFAULT_UTILIZATION_THRESHOLD,
    ignoreDaemonSetsUtilization: ignore?.toLowerCase() === "true",
  };
}

/** CA's --initial-node-group-backoff-duration, --max-node-group-backoff-duration and its reset timeout. */
const BACKOFF_INITIAL_MS = 5 * 60_000;
const BACKOFF_MAX_MS = 30 * 60_000;
const BACKOFF_RESET_MS = 3 * 3_600_000;

/** The group's next backoff: doubled after a failure within the reset timeout of the last, else the first. */
export function nextBackoff(
  prev: { ms: number; at: number } | undefined,
  now: number,
): { until: number; ms: number; at: number } {
  const ms =
    prev && now - prev.at < BACKOFF_RESET_MS ? Math.min(prev.ms * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
  return { until: now + ms, ms, at: now };
}

/** Whether CA leaves the group out of scale-up options for now. */
export const inBackoff = (cluster: ClusterDoc, group: string, now: number): boolean =>
  (cluster.clusterAutoscaler?.backoff?.[group]?.until ?? 0) > now;
