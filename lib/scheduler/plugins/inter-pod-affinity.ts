import { type AffinityTerm, labelsOf, podAffinityOf } from "../snapshot.ts";
import type { ClusterPlugin } from "../types.ts";

// InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, the required anti-affinity
// of pods already placed (symmetry), and preferred terms as a score. Counts come from the snapshot's
// per-domain counters, which include pods assumed earlier in the same pass.

interface Term {
  key: string;
  counts: Map<string, number>;
  weight: number;
}

interface State {
  affinity: Term[];
  /** No pod anywhere matches the affinity terms but the pod matches them itself: the first of a group. */
  firstOfGroup: boolean;
  anti: Term[];
  existingAnti: Term[];
  preferred: Term[];
}

export const AFFINITY = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

function anyPositive(m: Map<string, number>): boolean {
  for (const v of m.values()) if (v > 0) return true;
  return false;
}

export const interPodAffinity: ClusterPlugin<State> = {
  name: "InterPodAffinity",
  weight: 2,
  prepare(pod, snap) {
    const aff = podAffinityOf(pod);
    const ns = pod.metadata.namespace ?? "";
    const term = (t: AffinityTerm, weight = 1): Term & { self: boolean } => {
      const m = snap.matcher(ns, t);
      return { key: t.topologyKey, counts: snap.domainCounts(m, t.topologyKey), weight, self: m.test(pod) };
    };
    const affinity = (aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      term(t),
    );
    const anti = (aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      term(t),
    );
    const preferred = [
      ...(aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) =>
        term(p.podAffinityTerm, p.weight),
      ),
      ...(aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) =>
        term(p.podAffinityTerm, -p.weight),
      ),
    ];
    const existingAnti: Term[] = [];
    for (const e of snap.antiAffinity.values())
      if (e.total > 0 && e.m.test(pod))
        existingAnti.push({ key: e.topologyKey, counts: e.counts, weight: 1 });
    if (affinity.length + anti.length + preferred.length + existingAnti.length === 0) return undefined;
    const firstOfGroup = affinity.every((t) => t.self) && !affinity.some((t) => anyPositive(t.counts));
    return { affinity, firstOfGroup, anti, existingAnti, preferred };
  },
  filter(_pod, n, st) {
    const labels = labelsOf(n.node);
    if (!st.firstOfGroup) {
      for (const t of st.affinity) {
        const v = labels[t.key];
        if (v === undefined || !(t.counts.get(v) ?? 0)) return AFFINITY;
      }
    }
    for (const t of st.anti) {
      const v = labels[t.key];
      if (v !== undefined && (t.counts.get(v) ?? 0) > 0) return ANTI_AFFINITY;
    }
    for (const t of st.existingAnti) {
      const v = labels[t.key];
      if (v !== undefined && (t.counts.get(v) ?? 0) > 0) return EXISTING_ANTI_AFFINITY;
    }
    return undefined;
  },
  score(_pod, nodes, st) {
    if (st.preferred.length === 0) return undefined;
    const raw = nodes.map((n) => {
      const labels = labelsOf(n.node);
      let s = 0;
      for (const t of st.preferred) {
        const v = labels[t.key];
        if (v !== undefined) s += t.weight * (t.counts.get(v) ?? 0);
      }
      return s;
    });
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const s of raw) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    return raw.map((s) => (max > min ? (100 * (s - min)) / (max - min) : 0));
  },
};
