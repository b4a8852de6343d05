import type { NodeRegistration } from "../api/node-registration.ts";
import { dynamoCapacityProvider } from "../capacity/dynamo-store.ts";
import type { CapacityProvider } from "../capacity/provider.ts";
import { clientFor } from "../client/runtime.ts";
import { drainNodes, type NodeChange, patchNode, podsLeftOn } from "./node-drain.ts";
import type { EksContext } from "./repo.ts";

// What every EKS capacity owner (managed node groups, rollouts, the Cluster Autoscaler, Fargate) launches
// instances from and registers nodes with. Entry points configure it (functions/apiserver, the loop
// functions); unit tests swap in fakes.

/**
 * What registers a node (the kubelet room's `registerNode`, wired by the entry point) and removes one, and
 * what changes a node's labels and taints and drains nodes before scale-in (by default through the
 * cluster's API server as `eks`: lib/eks/node-drain.ts).
 */
export interface NodeRegistrar {
  register(cluster: string, node: NodeRegistrationData): Promise<void>;
  remove(cluster: string, name: string): Promise<void>;
  patch(cluster: string, name: string, change: NodeChange): Promise<void>;
  /** Cordons the nodes and evicts their pods (PDBs respected) for at most timeoutMs; returns the undrained. */
  drain(cluster: string, names: readonly string[], timeoutMs: number): Promise<string[]>;
  /** How many pods a drain still waits for on these nodes; absent where drains are faked (unit tests). */
  podsLeft?(cluster: string, names: readonly string[]): Promise<number>;
}

/** Plain data of one node, as lib/kubelet/nodes.ts `registerNode` takes it. */
export type NodeRegistrationData = NodeRegistration;

export interface NodegroupDeps {
  capacity?: CapacityProvider;
  nodes?: Partial<NodeRegistrar>;
  /**
   * How long a scale-in drain keeps retrying evictions a PodDisruptionBudget refuses before the nodes are
   * terminated anyway. EKS waits 15 minutes; the simulation defaults to 45 s, so an UpdateNodegroupConfig
   * call (which drains inline) answers within the aws CLI's 60-second read timeout.
   */
  drainTimeoutMs?: number;
  /**
   * Where UpdateNodegroupVersion and DeleteNodegroup do their steps: on the controllers queue (the default
   * when the function has one) or inline before the call returns (an embedded EKS API, unit tests).
   */
  rollouts?: "queue" | "inline";
}

/** Whether rollouts and deletes run inline rather than through the controllers queue. */
export const inlineRollouts = (): boolean => configured.rollouts === "inline";

export const DEFAULT_DRAIN_TIMEOUT_MS = 45_000;

/** The configured deadline, else KUMULUS_NODEGROUP_DRAIN_TIMEOUT_SECONDS, else 45 s. */
export const drainTimeoutMs = (): number => {
  if (configured.drainTimeoutMs !== undefined) return configured.drainTimeoutMs;
  const s = Number(process.env.KUMULUS_NODEGROUP_DRAIN_TIMEOUT_SECONDS);
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_DRAIN_TIMEOUT_MS;
};

let configured: NodegroupDeps = {};
const providers = new Map<string, CapacityProvider>();

/**
 * Sets what node groups launch from and register nodes with (the entry point, or a unit test). Without a
 * capacity provider the `capacity` table of the function's environment is used; without a registrar nodes
 * cannot be registered and a group fails to create.
 */
export function configureNodegroups(deps: NodegroupDeps): void {
  configured = { ...deps };
}

export function capacity(ctx: Pick<EksContext, "region">): CapacityProvider {
  if (configured.capacity) return configured.capacity;
  let p = providers.get(ctx.region);
  if (!p) {
    p = dynamoCapacityProvider({ region: ctx.region });
    providers.set(ctx.region, p);
  }
  return p;
}

export function registrar(): NodeRegistrar {
  return {
    register:
      configured.nodes?.register ??
      (async () => {
        throw new Error("no node registrar configured (configureNodegroups)");
      }),
    remove:
      configured.nodes?.remove ??
      (async (cluster, name) => {
        await clientFor(cluster, "eks").delete(`/api/v1/nodes/${encodeURIComponent(name)}`);
      }),
    patch: configured.nodes?.patch ?? patchNode,
    drain: configured.nodes?.drain ?? drainNodes,
    podsLeft: configured.nodes?.podsLeft ?? (configured.nodes?.drain ? undefined : podsLeftOn),
  };
}
