import { termMatches } from "../api/node-selector.ts";
import { type Toleration, taintsOf } from "../api/nodes.ts";
import type { KubeObject } from "../api/types.ts";
import { controllerRef } from "./owner.ts";
import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  untoleratedTaint,
} from "./taint-util.ts";

// The DaemonSet controller's pure parts: which nodes should run a daemon pod, and the pod it creates there.

type Any = Record<string, any>;

export const REVISION_HASH = "controller-revision-hash";
export const TEMPLATE_GENERATION = "pod-template-generation";

/** The tolerations the DaemonSet controller adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonPodTolerations(podSpec: Any | undefined): Toleration[] {
  const tols = [...((podSpec?.tolerations ?? []) as Toleration[])];
  const add = (key: string, effect: string) => {
    if (!tols.some((t) => t.key === key && t.effect === effect))
      tols.push({ key, operator: "Exists", effect });
  };
  add(TAINT_NOT_READY, "NoExecute");
  add(TAINT_UNREACHABLE, "NoExecute");
  add(TAINT_DISK_PRESSURE, "NoSchedule");
  add(TAINT_MEMORY_PRESSURE, "NoSchedule");
  add(TAINT_PID_PRESSURE, "NoSchedule");
  add(TAINT_UNSCHEDULABLE, "NoSchedule");
  if (podSpec?.hostNetwork) add(TAINT_NETWORK_UNAVAILABLE, "NoSchedule");
  return tols;
}

/**
 * NodeShouldRunDaemonPod: `shouldRun` when a new daemon pod belongs on the node (node name, selector,
 * required affinity, NoSchedule/NoExecute taints tolerated); `shouldContinueRunning` when an existing one
 * may stay (only untolerated NoExecute taints evict it).
 */
export function nodeShouldRunDaemonPod(
  node: KubeObject,
  podSpec: Any | undefined,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (node.metadata.deletionTimestamp) return no;
  if (podSpec?.nodeName && podSpec.nodeName !== node.metadata.name) return no;
  const labels = node.metadata.labels ?? {};
  const sel = (podSpec?.nodeSelector ?? {}) as Record<string, string>;
  if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) return no;
  const terms = (podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? []) as Any[];
  if (terms.length > 0 && !terms.some((t) => termMatches(t, node))) return no;
  const tols = daemonPodTolerations(podSpec);
  const taints = taintsOf(node);
  if (!untoleratedTaint(tols, taints, ["NoSchedule", "NoExecute"]))
    return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: !untoleratedTaint(tols, taints, ["NoExecute"]) };
}

/** The node a daemon pod is for: its nodeName once bound, else the node its affinity pins it to. */
export function targetNodeName(pod: KubeObject): string | undefined {
  const spec = pod.spec as Any;
  if (spec?.nodeName) return spec.nodeName;
  for (const t of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? [])
      if (f.key === "metadata.name" && f.operator === "In" && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/**
 * The daemon pod for a node. Since 1.12 daemon pods go through the default scheduler, pinned to their node by
 * a required node affinity on metadata.name (replacing the template's required terms, which the controller
 * has already checked against the node).
 */
export function daemonPodFor(ds: KubeObject, nodeName: string, hash: string): KubeObject {
  const spec = ds.spec as Any;
  const template = (spec.template ?? {}) as Any;
  const podSpec = structuredClone((template.spec ?? {}) as Any);
  const affinity = (podSpec.affinity ??= {}) as Any;
  const nodeAffinity = (affinity.nodeAffinity ??= {}) as Any;
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] }],
  };
  podSpec.tolerations = daemonPodTolerations(podSpec);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels: {
        ...(template.metadata?.labels ?? {}),
        [REVISION_HASH]: hash,
        [TEMPLATE_GENERATION]: String(ds.metadata.generation ?? 1),
      },
      annotations: template.metadata?.annotations,
      ownerReferences: [controllerRef(ds, "DaemonSet")],
    },
    spec: podSpec,
  };
}

/** maxUnavailable of a RollingUpdate against the desired count (percentages round up, at least 1). */
export function maxUnavailableOf(ds: KubeObject, desired: number): number {
  const v = (ds.spec as Any)?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const n =
    typeof v === "number" ? v : Math.ceil((Number(String(v).replace("%", "")) / 100) * Math.max(desired, 0));
  return Math.max(1, Number.isFinite(n) ? n : 1);
}

/** Resolves an int-or-percent of `desired`, percentages rounded up (GetScaledValueFromIntOrPercent). */
function scaled(v: unknown, desired: number): number {
  const n =
    typeof v === "number"
      ? v
      : Math.ceil((Number(String(v ?? 0).replace("%", "")) / 100) * Math.max(desired, 0));
  return Number.isFinite(n) ? n : 0;
}

/** maxSurge of a RollingUpdate against the desired count; 0 means updates delete before they create. */
export function maxSurgeOf(ds: KubeObject, desired: number): number {
  return scaled((ds.spec as Any)?.updateStrategy?.rollingUpdate?.maxSurge, desired);
}

/** Whether the RollingUpdate surges (creates the new pod beside the old one) rather than deleting first. */
export function allowsSurge(ds: KubeObject): boolean {
  const strategy = (ds.spec as Any)?.updateStrategy;
  if ((strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return false;
  const v = strategy?.rollingUpdate?.maxSurge;
  return v !== undefined && v !== 0 && v !== "0" && v !== "0%";
}
