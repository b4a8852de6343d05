import { labelSelectorFromObject, type MetaLabelSelector } from "../api/selectors.ts";
import type { KubeObject } from "../api/types.ts";
import { allocatableOf, podRequests, podRequestsForScoring } from "./resources.ts";
import type { NodeInfo } from "./types.ts";

// The scheduler's view of a cluster for one pass: nodes with their pods, plus counters that the topology
// plugins read (pods matching a selector per node and per topology domain, existing pods' anti-affinity).
// Counters are built lazily the first time a selector is asked about and then kept current as pods are
// assumed or removed, so a pass of thousands of pods never rescans every pod for every decision.

export interface PodMatcher {
  key: string;
  test(pod: KubeObject): boolean;
}

export interface AffinityTerm {
  labelSelector?: MetaLabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: MetaLabelSelector | null;
  topologyKey: string;
}

interface DomainIndex {
  m: PodMatcher;
  topologyKey: string;
  counts: Map<string, number>;
}

interface AntiEntry {
  m: PodMatcher;
  topologyKey: string;
  counts: Map<string, number>;
  total: number;
}

const NONE: PodMatcher = { key: "none", test: () => false };

export const labelsOf = (o: KubeObject): Record<string, string> => o.metadata.labels ?? {};

export class Snapshot {
  readonly nodes: NodeInfo[];
  readonly byName = new Map<string, NodeInfo>();
  private readonly matchers = new Map<string, PodMatcher>();
  private readonly perNode = new Map<string, { m: PodMatcher; counts: Int32Array }>();
  private readonly perDomain = new Map<string, DomainIndex>();
  private readonly domainNodes = new Map<string, Map<string, NodeInfo[]>>();
  /** Required anti-affinity terms of pods already placed, grouped by term (symmetry of anti-affinity). */
  readonly antiAffinity = new Map<string, AntiEntry>();

  constructor(
    nodes: KubeObject[],
    pods: KubeObject[],
    readonly namespaceLabels = new Map<string, Record<string, string>>(),
  ) {
    this.nodes = nodes.map((node, index) => {
      const info: NodeInfo = {
        node,
        pods: [],
        requested: { cpu: 0, memory: 0, pods: 0 },
        scoring: { cpu: 0, memory: 0, pods: 0 },
        allocatable: allocatableOf(node),
        index,
        snapshot: this,
      };
      this.byName.set(node.metadata.name!, info);
      return info;
    });
    for (const p of pods) {
      const n = (p.spec as { nodeName?: string }).nodeName;
      const phase = (p.status as { phase?: string } | undefined)?.phase;
      if (!n || phase === "Succeeded" || phase === "Failed") continue;
      const info = this.byName.get(n);
      if (info) this.add(info, p);
    }
  }

  /** Accounts a pod on a node: resources, and every counter built so far. */
  add(info: NodeInfo, pod: KubeObject): void {
    const r = podRequests(pod);
    const s = podRequestsForScoring(pod);
    info.pods.push(pod);
    info.requested.pods++;
    info.requested.cpu += r.cpu;
    info.requested.memory += r.memory;
    info.scoring.cpu += s.cpu;
    info.scoring.memory += s.memory;
    this.count(info, pod, 1);
  }

  /** Takes a pod off a node (preemption simulates evicting victims this way). */
  remove(info: NodeInfo, pod: KubeObject): void {
    const i = info.pods.indexOf(pod);
    if (i < 0) return;
    info.pods.splice(i, 1);
    const r = podRequests(pod);
    const s = podRequestsForScoring(pod);
    info.requested.pods--;
    info.requested.cpu -= r.cpu;
    info.requested.memory -= r.memory;
    info.scoring.cpu -= s.cpu;
    info.scoring.memory -= s.memory;
    this.count(info, pod, -1);
  }

  private count(info: NodeInfo, pod: KubeObject, d: number): void {
    if (pod.metadata.deletionTimestamp) return; // terminating pods do not count for topology
    const labels = labelsOf(info.node);
    for (const ix of this.perNode.values()) if (ix.m.test(pod)) ix.counts[info.index!] += d;
    for (const ix of this.perDomain.values()) {
      const v = labels[ix.topologyKey];
      if (v !== undefined && ix.m.test(pod)) ix.counts.set(v, (ix.counts.get(v) ?? 0) + d);
    }
    for (const t of antiTermsOf(pod)) {
      const v = labels[t.topologyKey];
      if (v === undefined) continue;
      const m = this.matcher(pod.metadata.namespace ?? "", t);
      const key = `${m.key}\u0000${t.topologyKey}`;
      let e = this.antiAffinity.get(key);
      if (!e) {
        e = { m, topologyKey: t.topologyKey, counts: new Map(), total: 0 };
        this.antiAffinity.set(key, e);
      }
      e.counts.set(v, (e.counts.get(v) ?? 0) + d);
      e.total += d;
    }
  }

  /**
   * The pods a term selects: its label selector within its namespaces (the owner's namespace by default, the
   * listed ones, those a namespaceSelector picks, or all for an empty namespaceSelector). A nil selector
   * selects nothing.
   */
  matcher(ownerNs: string, term: Omit<AffinityTerm, "topologyKey">): PodMatcher {
    if (!term.labelSelector) return NONE;
    const sel = labelSelectorFromObject(term.labelSelector);
    let nsSet: Set<string> | undefined;
    const nsSel = term.namespaceSelector;
    if (nsSel && Object.keys(nsSel.matchLabels ?? {}).length + (nsSel.matchExpressions ?? []).length === 0) {
      nsSet = undefined; // {} selects every namespace
    } else {
      nsSet = new Set(term.namespaces ?? []);
      if (nsSel) {
        const s = labelSelectorFromObject(nsSel);
        for (const [ns, labels] of this.namespaceLabels) if (s.matches(labels)) nsSet.add(ns);
      } else if (nsSet.size === 0) nsSet.add(ownerNs);
    }
    const key = `${nsSet ? [...nsSet].sort().join(",") : "*"}|${sel.toString()}`;
    let m = this.matchers.get(key);
    if (!m) {
      const set = nsSet;
      m = {
        key,
        test: (p) => (!set || set.has(p.metadata.namespace ?? "")) && sel.matches(labelsOf(p)),
      };
      this.matchers.set(key, m);
    }
    return m;
  }

  /** Matching pods per node, by node index. */
  podCounts(m: PodMatcher): Int32Array {
    let ix = this.perNode.get(m.key);
    if (!ix) {
      ix = { m, counts: new Int32Array(this.nodes.length) };
      for (const n of this.nodes)
        for (const p of n.pods) if (!p.metadata.deletionTimestamp && m.test(p)) ix.counts[n.index!]++;
      this.perNode.set(m.key, ix);
    }
    return ix.counts;
  }

  /** Matching pods per value of the topology key (nodes without the key are not counted). */
  domainCounts(m: PodMatcher, topologyKey: string): Map<string, number> {
    const key = `${m.key}\u0000${topologyKey}`;
    let ix = this.perDomain.get(key);
    if (!ix) {
      ix = { m, topologyKey, counts: new Map() };
      for (const n of this.nodes) {
        const v = labelsOf(n.node)[topologyKey];
        if (v === undefined) continue;
        let c = 0;
        for (const p of n.pods) if (!p.metadata.deletionTimestamp && m.test(p)) c++;
        ix.counts.set(v, (ix.counts.get(v) ?? 0) + c);
      }
      this.perDomain.set(key, ix);
    }
    return ix.counts;
  }

  /** The nodes of each value of a topology key. */
  domains(topologyKey: string): Map<string, NodeInfo[]> {
    let d = this.domainNodes.get(topologyKey);
    if (!d) {
      d = new Map();
      for (const n of this.nodes) {
        const v = labelsOf(n.node)[topologyKey];
        if (v === undefined) continue;
        const l = d.get(v);
        if (l) l.push(n);
        else d.set(v, [n]);
      }
      this.domainNodes.set(topologyKey, d);
    }
    return d;
  }
}

type PodAffinity = {
  podAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: AffinityTerm }[];
  };
  podAntiAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: AffinityTerm }[];
  };
};

export const podAffinityOf = (pod: KubeObject): PodAffinity =>
  ((pod.spec as { affinity?: PodAffinity } | undefined)?.affinity ?? {}) as PodAffinity;

function antiTermsOf(pod: KubeObject): AffinityTerm[] {
  return podAffinityOf(pod).podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}
