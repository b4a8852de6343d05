import { CliError, type Flags } from "./command.ts";
import type { FlagSpec } from "./flags.ts";
import { formatDuration } from "./flags.ts";
import type { Kube } from "./kube.ts";
import type { Logger } from "./logger.ts";

// eksctl's client-side node group drain, through the cluster's Kubernetes API: cordon every node of the
// group, then, at most `parallel` nodes at a time, evict (or with disableEviction delete) each pod that is
// neither a DaemonSet's nor a mirror pod, until none is left. A refused eviction (429: a PodDisruptionBudget,
// 404: already gone…) is retried after podEvictionWaitPeriod; the whole drain gives up at the deadline with
// eksctl's "timed out" message. `undo` uncordons instead.

export interface DrainOptions {
  parallel: number;
  disableEviction: boolean;
  podEvictionWaitMs: number;
  /** Caps each pod's termination grace period (--max-grace-period). */
  maxGraceSeconds: number;
  nodeDrainWaitMs: number;
  /** When the drain gives up; `timeoutMs` is what its message reports. */
  deadline: number;
  timeoutMs: number;
  undo?: boolean;
}

export const drainFlags = (evictionFlag: "disable-eviction" | "disable-nodegroup-eviction"): FlagSpec[] => [
  {
    name: evictionFlag,
    type: "bool",
    usage:
      "Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution.",
  },
  { name: "parallel", type: "int", default: 1, usage: "Number of nodes to drain in parallel. Max 25" },
  {
    name: "max-grace-period",
    type: "duration",
    default: "10m",
    usage: "Maximum pods termination grace period",
  },
  {
    name: "pod-eviction-wait-period",
    type: "duration",
    default: "10s",
    usage: "Duration to wait after failing to evict a pod",
  },
];

/** The label that finds a managed node group's nodes (eksctl's ListOptions for a managed group). */
export const nodegroupSelector = (nodegroup: string): string => `eks.amazonaws.com/nodegroup=${nodegroup}`;

/** A drain that ran out of time: pods a PodDisruptionBudget (or a slow pod) kept on their node. */
export class DrainTimeout extends CliError {
  override name = "DrainTimeout";
}

/** The drain options the shared flags give. */
export function drainOptionsFrom(flags: Flags, disableEviction: boolean): DrainOptions {
  const timeoutMs = flags.duration("timeout") ?? 25 * 60_000;
  return {
    parallel: parallelOf(flags.int("parallel")),
    disableEviction,
    podEvictionWaitMs: flags.duration("pod-eviction-wait-period") ?? 10_000,
    maxGraceSeconds: Math.floor((flags.duration("max-grace-period") ?? 600_000) / 1000),
    nodeDrainWaitMs: flags.duration("node-drain-wait-period") ?? 0,
    deadline: Date.now() + timeoutMs,
    timeoutMs,
  };
}

/** `--parallel`, with eksctl's range check. */
export function parallelOf(v: number | undefined): number {
  const n = v ?? 1;
  if (n < 1 || n > 25) throw new CliError("--parallel value must be of range 1-25");
  return n;
}

// DaemonSet pods would come straight back, and mirror pods cannot be deleted through the API.
const MIRROR = "kubernetes.io/config.mirror";

interface PodItem {
  spec?: { terminationGracePeriodSeconds?: number };
  metadata: {
    name: string;
    namespace: string;
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; controller?: boolean }[];
  };
}

interface NodeItem {
  metadata: { name: string };
  spec?: { unschedulable?: boolean };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function evictable(p: PodItem): boolean {
  if (p.metadata.deletionTimestamp) return false; // already going: nothing more to ask of it
  if (p.metadata.annotations?.[MIRROR] !== undefined) return false;
  return !(p.metadata.ownerReferences ?? []).some((o) => o.controller && o.kind === "DaemonSet");
}

async function nodesOf(kube: Kube, selector: string): Promise<NodeItem[]> {
  const list = await kube.get<{ items: NodeItem[] }>(
    `/api/v1/nodes?labelSelector=${encodeURIComponent(selector)}`,
  );
  return list.items;
}

async function setCordon(kube: Kube, log: Logger, nodes: NodeItem[], cordon: boolean): Promise<void> {
  for (const n of nodes) {
    if ((n.spec?.unschedulable === true) === cordon) continue;
    const r = await kube.request(
      "PATCH",
      `/api/v1/nodes/${encodeURIComponent(n.metadata.name)}`,
      { spec: { unschedulable: cordon || null } },
      "application/merge-patch+json",
    );
    if (r.status === 404) continue; // terminated meanwhile
    if (r.status !== 200)
      log.warning(`${cordon ? "cordon" : "uncordon"} node "${n.metadata.name}": ${r.status}`);
    else log.info(`${cordon ? "cordon" : "uncordon"} node "${n.metadata.name}"`);
  }
}

/** Evicts or deletes one pod; true when it is on its way out, false when it should be retried. */
async function remove(kube: Kube, p: PodItem, o: DrainOptions): Promise<boolean> {
  const { namespace, name } = p.metadata;
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
  // kubectl drain's rule: the pod's own grace period, unless it exceeds the maximum.
  const grace = p.spec?.terminationGracePeriodSeconds ?? 30;
  const deleteOptions = grace > o.maxGraceSeconds ? { gracePeriodSeconds: o.maxGraceSeconds } : undefined;
  const r = o.disableEviction
    ? await kube.request("DELETE", path, deleteOptions)
    : await kube.request("POST", `${path}/eviction`, {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name, namespace },
        ...(deleteOptions ? { deleteOptions } : {}),
      });
  if (r.status === 200 || r.status === 201 || r.status === 404) return true;
  // eksctl's recoverable errors: 429 (a budget), 410, 500-class timeouts and unavailability.
  if ([429, 410, 504, 503, 500].includes(r.status)) return false;
  const message = (r.body as { message?: string } | undefined)?.message ?? `HTTP ${r.status}`;
  throw new CliError(`unrecoverable error evicting pod: ${namespace}/${name}: ${message}`);
}

async function drainNode(kube: Kube, log: Logger, node: string, o: DrainOptions): Promise<void> {
  let lastReport = Date.now();
  for (;;) {
    if (Date.now() > o.deadline)
      throw new DrainTimeout(
        `timed out (after ${formatDuration(o.timeoutMs)}) waiting for node "${node}" to be drained`,
      );
    const list = await kube.get<{ items: PodItem[] }>(
      `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
    );
    const pods = list.items.filter(evictable);
    if (pods.length === 0) return;
    if (Date.now() - lastReport > 60_000) {
      log.warning(`${pods.length} pods are unevictable from node ${node}`);
      lastReport = Date.now();
    }
    let failed = false;
    for (const p of pods) if (!(await remove(kube, p, o))) failed = true;
    await sleep(failed ? o.podEvictionWaitMs : 200);
  }
}

/** eksctl's line before it drains node groups (printed once, even for none). */
export const startLine = (parallel: number): string =>
  `starting parallel draining, max in-flight of ${parallel}`;

/** Drains (or with `undo` uncordons) the nodes a selector finds, as eksctl drains a node group. */
export async function drainNodegroup(
  kube: Kube,
  log: Logger,
  nodegroup: string,
  selector: string,
  o: DrainOptions,
): Promise<void> {
  const first = await nodesOf(kube, selector);
  if (first.length === 0) {
    log.warning(`no nodes found in nodegroup "${nodegroup}" (label selector: "${selector}")`);
    return;
  }
  if (o.undo) {
    await setCordon(kube, log, first, false);
    return;
  }
  const drained: string[] = [];
  // Loop until a listing shows no node left undrained, so nodes that join meanwhile are drained too.
  for (;;) {
    if (Date.now() > o.deadline)
      throw new DrainTimeout(
        `timed out (after ${formatDuration(o.timeoutMs)}) waiting for nodegroup "${nodegroup}" to be drained`,
      );
    const nodes = await nodesOf(kube, selector);
    await setCordon(kube, log, nodes, true);
    const pending = nodes.map((n) => n.metadata.name).filter((n) => !drained.includes(n));
    if (pending.length === 0) break;
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        const node = pending[next++];
        drained.push(node);
        try {
          await drainNode(kube, log, node, o);
        } catch (e) {
          log.warning(`pod eviction error ("${(e as Error).message}") on node ${node}`);
          throw e;
        }
        if (o.nodeDrainWaitMs > 0) await sleep(o.nodeDrainWaitMs);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.parallel, pending.length) }, worker));
  }
  log.success(`drained all nodes: [${drained.join(" ")}]`);
}
