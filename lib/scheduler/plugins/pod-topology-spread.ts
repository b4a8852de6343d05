import type { MetaLabelSelector } from "../../api/selectors.ts";
import type { KubeObject } from "../../api/types.ts";
import { labelsOf, type Snapshot } from "../snapshot.ts";
import type { ClusterPlugin, NodeInfo } from "../types.ts";
import { nodeAffinity } from "./node-affinity.ts";
import { taintToleration } from "./taint-toleration.ts";

// PodTopologySpread: DoNotSchedule constraints filter (the skew a node would create must stay ≤ maxSkew),
// ScheduleAnyway constraints score (fewer matching pods in the node's domain is better).

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable?: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector?: MetaLabelSelector | null;
  matchLabelKeys?: string[];
  minDomains?: number;
  nodeAffinityPolicy?: "Honor" | "Ignore";
  nodeTaintsPolicy?: "Honor" | "Ignore";
}

interface Counted {
  key: string;
  maxSkew: number;
  /** Matching pods per domain (eligible nodes only). */
  counts: Map<string, number>;
  /** Lowest count over the eligible domains (0 when fewer domains than minDomains). */
  min: number;
  selfMatch: number;
  domains: number;
}

interface State {
  hard: Counted[];
  soft: Counted[];
}

export const MISMATCH = "node(s) didn't match pod topology spread constraints";
export const MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";

function selectorWithKeys(c: Constraint, pod: KubeObject): MetaLabelSelector | null | undefined {
  const keys = c.matchLabelKeys ?? [];
  if (!c.labelSelector || keys.length === 0) return c.labelSelector;
  const labels = labelsOf(pod);
  const extra = keys
    .filter((k) => labels[k] !== undefined)
    .map((k) => ({ key: k, operator: "In", values: [labels[k]] }));
  return { ...c.labelSelector, matchExpressions: [...(c.labelSelector.matchExpressions ?? []), ...extra] };
}

function hasNodeConstraints(pod: KubeObject): boolean {
  const spec = pod.spec as {
    nodeSelector?: object;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: unknown } };
  };
  return (
    Object.keys(spec.nodeSelector ?? {}).length > 0 ||
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined
  );
}

function count(pod: KubeObject, c: Constraint, all: Constraint[], snap: Snapshot): Counted {
  const m = snap.matcher(pod.metadata.namespace ?? "", { labelSelector: selectorWithKeys(c, pod) });
  const honorAffinity = (c.nodeAffinityPolicy ?? "Honor") === "Honor" && hasNodeConstraints(pod);
  const honorTaints = c.nodeTaintsPolicy === "Honor";
  let counts: Map<string, number>;
  let domainNames: Iterable<string>;
  if (!honorAffinity && !honorTaints) {
    // Every node is eligible: the snapshot's live per-domain counters serve directly.
    counts = snap.domainCounts(m, c.topologyKey);
    domainNames = snap.domains(c.topologyKey).keys();
  } else {
    const perNode = snap.podCounts(m);
    counts = new Map();
    for (const n of snap.nodes) {
      const labels = labelsOf(n.node);
      const v = labels[c.topologyKey];
      if (v === undefined || all.some((o) => labels[o.topologyKey] === undefined)) continue;
      if (honorAffinity && nodeAffinity(pod, n)) continue;
      if (honorTaints && taintToleration(pod, n)) continue;
      counts.set(v, (counts.get(v) ?? 0) + perNode[n.index!]);
    }
    domainNames = counts.keys();
  }
  let min = Number.POSITIVE_INFINITY;
  let domains = 0;
  for (const d of domainNames) {
    domains++;
    const k = counts.get(d) ?? 0;
    if (k < min) min = k;
  }
  if (domains === 0 || domains < (c.minDomains ?? 1)) min = 0;
  return { key: c.topologyKey, maxSkew: c.maxSkew, counts, min, selfMatch: m.test(pod) ? 1 : 0, domains };
}

// Labels a controller stamps on each pod separately: a selector holding them would select that pod alone.
const PER_POD_LABELS = new Set([
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
  "controller-revision-hash",
]);
const REPLICATED = new Set(["ReplicaSet", "StatefulSet", "ReplicationController"]);

/**
 * kube-scheduler's system default constraints, for pods that set none: spread over hosts (maxSkew 3) and
 * zones (maxSkew 5), both ScheduleAnyway, among the pods of the same controller. kube derives the selector
 * from the owning ReplicaSet, StatefulSet or ReplicationController (and Services); the scheduler's snapshot
 * holds pods only, so the pod's own labels stand in, less those that differ from one replica to the next.
 */
export function systemDefaultConstraints(pod: KubeObject): Constraint[] {
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  if (!owner || !REPLICATED.has(owner.kind)) return [];
  const matchLabels = Object.fromEntries(
    Object.entries(labelsOf(pod)).filter(([k]) => !PER_POD_LABELS.has(k)),
  );
  if (Object.keys(matchLabels).length === 0) return [];
  const labelSelector = { matchLabels };
  return [
    { maxSkew: 3, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
    {
      maxSkew: 5,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector,
    },
  ];
}

export const podTopologySpread: ClusterPlugin<State> = {
  name: "PodTopologySpread",
  weight: 2,
  prepare(pod, snap) {
    const own = (pod.spec as { topologySpreadConstraints?: Constraint[] }).topologySpreadConstraints ?? [];
    const cs = own.length > 0 ? own : systemDefaultConstraints(pod);
    if (cs.length === 0) return undefined;
    const hardCs = cs.filter((c) => (c.whenUnsatisfiable ?? "DoNotSchedule") === "DoNotSchedule");
    const softCs = cs.filter((c) => c.whenUnsatisfiable === "ScheduleAnyway");
    return {
      hard: hardCs.map((c) => count(pod, c, hardCs, snap)),
      soft: softCs.map((c) => count(pod, c, softCs, snap)),
    };
  },
  filter(_pod, n, st) {
    const labels = labelsOf(n.node);
    for (const c of st.hard) {
      const v = labels[c.key];
      if (v === undefined) return MISSING_LABEL;
      if ((c.counts.get(v) ?? 0) + c.selfMatch - c.min > c.maxSkew) return MISMATCH;
    }
    return undefined;
  },
  score(_pod, nodes, st) {
    if (st.soft.length === 0) return undefined;
    const raw = nodes.map((n: NodeInfo) => {
      const labels = labelsOf(n.node);
      let s = 0;
      for (const c of st.soft) {
        const v = labels[c.key];
        if (v === undefined) return -1;
        s += (c.counts.get(v) ?? 0) * Math.log(c.domains + 2) + (c.maxSkew - 1);
      }
      return s;
    });
    const valid = raw.filter((s) => s >= 0);
    if (valid.length === 0) return raw.map(() => 0);
    const max = Math.max(...valid);
    const min = Math.min(...valid);
    return raw.map((s) => (s < 0 ? 0 : max === 0 ? 100 : (100 * (max + min - s)) / max));
  },
};
