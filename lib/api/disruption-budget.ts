import { labelSelectorFromObject, type MetaLabelSelector } from "./selectors.ts";
import type { KubeObject } from "./types.ts";

// The arithmetic of a PodDisruptionBudget, shared by the disruption controller (which publishes it as status)
// and the eviction subresource (which recomputes it from current pods rather than trusting a stale status).

export interface PdbSpec {
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  selector?: MetaLabelSelector | null;
  unhealthyPodEvictionPolicy?: "IfHealthyBudget" | "AlwaysAllow";
}

export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Condition[];
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** Reads an object by group/plural/namespace/name (the store in the API server, a client in controllers). */
export type Getter = (
  group: string,
  plural: string,
  namespace: string,
  name: string,
) => Promise<KubeObject | undefined>;

/** An evicted pod not deleted within this long stops counting as disrupted (kube's DeletionTimeout). */
export const DISRUPTION_TIMEOUT_MS = 2 * 60_000;

/** The budget its controller last published; 0 before it has published one. */
export const disruptionsAllowedOf = (pdb: KubeObject): number =>
  (pdb.status as Partial<PdbStatus> | undefined)?.disruptionsAllowed ?? 0;

export function specOf(pdb: KubeObject): PdbSpec {
  return (pdb.spec ?? {}) as PdbSpec;
}

/** policy/v1: a null selector selects nothing, an empty one every pod of the namespace. */
export function selects(pdb: KubeObject, pod: KubeObject): boolean {
  const sel = specOf(pdb).selector;
  if (sel === undefined || sel === null) return false;
  return labelSelectorFromObject(sel).matches(pod.metadata.labels ?? {});
}

export function isReady(pod: KubeObject): boolean {
  const conds = ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions ?? []) as { type: string; status: string }[];
  return conds.some((c) => c.type === "Ready" && c.status === "True");
}

export function phaseOf(pod: KubeObject): string {
  return (pod.status as { phase?: string } | undefined)?.phase ?? "Pending";
}

/** An int, or a percentage of `total` rounded up (GetScaledValueFromIntOrPercent with roundUp). */
export function scaled(v: number | string, total: number): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v.trim());
  if (!m) {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  }
  return Math.ceil((Number(m[1]) * total) / 100);
}

function ownerPath(kind: string): { group: string; plural: string } | undefined {
  switch (kind) {
    case "ReplicaSet":
      return { group: "apps", plural: "replicasets" };
    case "Deployment":
      return { group: "apps", plural: "deployments" };
    case "StatefulSet":
      return { group: "apps", plural: "statefulsets" };
    case "ReplicationController":
      return { group: "", plural: "replicationcontrollers" };
    default:
      return undefined;
  }
}

/**
 * How many pods the budget expects: the summed replicas of the pods' controllers (a ReplicaSet run by a
 * Deployment counts the Deployment's replicas); a pod whose controller is unknown counts as one.
 */
export async function expectedScale(pods: KubeObject[], get: Getter): Promise<number> {
  const counted = new Map<string, number>(); // resolved controller uid → its replicas
  const resolved = new Map<string, string | null>(); // a pod's controller uid → counted key, null if unknown
  let loose = 0;
  const resolve = async (ns: string, kind: string, name: string, uid: string): Promise<string | null> => {
    const where = ownerPath(kind);
    const owner = where && (await get(where.group, where.plural, ns, name));
    if (!owner || owner.metadata.uid !== uid) return null;
    let top = owner;
    const up = (owner.metadata.ownerReferences ?? []).find((o) => o.controller);
    if (kind === "ReplicaSet" && up?.kind === "Deployment") {
      const dep = await get("apps", "deployments", ns, up.name);
      if (dep && dep.metadata.uid === up.uid) top = dep;
    }
    counted.set(top.metadata.uid!, (top.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    return top.metadata.uid!;
  };
  for (const p of pods) {
    const ref = (p.metadata.ownerReferences ?? []).find((o) => o.controller);
    if (!ref) {
      loose++;
      continue;
    }
    if (!resolved.has(ref.uid))
      resolved.set(ref.uid, await resolve(p.metadata.namespace ?? "", ref.kind, ref.name, ref.uid));
    if (resolved.get(ref.uid) === null) loose++;
  }
  return [...counted.values()].reduce((a, b) => a + b, 0) + loose;
}

/** Disrupted (evicted, not yet deleted) entries still worth keeping: the pod exists and the entry is fresh. */
export function liveDisruptions(
  disrupted: Record<string, string> | undefined,
  pods: KubeObject[],
  now = Date.now(),
): Record<string, string> {
  const out: Record<string, string> = {};
  const byName = new Map(pods.map((p) => [p.metadata.name, p]));
  for (const [name, at] of Object.entries(disrupted ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    if (now - Date.parse(at) > DISRUPTION_TIMEOUT_MS) continue;
    out[name] = at;
  }
  return out;
}

/**
 * The budget's numbers from the current pods of its namespace (as the disruption controller computes them):
 * healthy = Ready, not deleting, not already evicted; desired from minAvailable or maxUnavailable.
 */
export async function computeBudget(
  pdb: KubeObject,
  namespacePods: KubeObject[],
  get: Getter,
  now = Date.now(),
): Promise<Omit<PdbStatus, "conditions" | "observedGeneration">> {
  const spec = specOf(pdb);
  const pods = namespacePods.filter((p) => selects(pdb, p));
  const disrupted = liveDisruptions(
    (pdb.status as { disruptedPods?: Record<string, string> } | undefined)?.disruptedPods,
    pods,
    now,
  );
  const currentHealthy = pods.filter(
    (p) => !p.metadata.deletionTimestamp && isReady(p) && !(p.metadata.name! in disrupted),
  ).length;
  let expectedPods = pods.length;
  let desiredHealthy = 0;
  if (spec.maxUnavailable !== undefined) {
    expectedPods = await expectedScale(pods, get);
    desiredHealthy = Math.max(0, expectedPods - scaled(spec.maxUnavailable, expectedPods));
  } else if (typeof spec.minAvailable === "number") {
    desiredHealthy = spec.minAvailable;
  } else if (spec.minAvailable !== undefined) {
    expectedPods = await expectedScale(pods, get);
    desiredHealthy = scaled(spec.minAvailable, expectedPods);
  }
  const disruptionsAllowed = expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  const out: Omit<PdbStatus, "conditions" | "observedGeneration"> = {
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
  };
  if (Object.keys(disrupted).length > 0) out.disruptedPods = disrupted;
  return out;
}

/** The DisruptionAllowed condition, keeping its transition time while its status holds. */
export function disruptionCondition(
  allowed: number,
  generation: number | undefined,
  previous: Condition[] | undefined,
  now: string,
): Condition[] {
  const status = allowed > 0 ? "True" : "False";
  const old = (previous ?? []).find((c) => c.type === "DisruptionAllowed");
  return [
    {
      type: "DisruptionAllowed",
      status,
      reason: allowed > 0 ? "SufficientPods" : "InsufficientPods",
      message: "",
      observedGeneration: generation,
      lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
    },
  ];
}
