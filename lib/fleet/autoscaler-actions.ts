import type { KubeObject } from "../api/types.ts";
import type { Instance } from "../capacity/instance.ts";
import type { ApiClient } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { mutateCluster } from "../eks/mutate.ts";
import type { NodeChange } from "../eks/node-drain.ts";
import { drainInstances, launchNodes, patchInstances, removeInstances } from "../eks/nodegroups.ts";
import type { ClusterDoc, EksContext } from "../eks/repo.ts";
import { log } from "../log.ts";
import { nextBackoff } from "./autoscaler-options.ts";
import { TO_BE_DELETED_TAINT } from "./autoscaler-scale-down.ts";
import {
  failedScaleUpMessage,
  notTriggeredMessage,
  type ScaleUp,
  triggeredMessage,
} from "./autoscaler-scale-up.ts";

// What the Cluster Autoscaler does once it has decided: change a group's desiredSize (through the cluster
// record, as the EKS API does) and bring its instances to that size the way its Auto Scaling group would;
// taint, drain and remove an unneeded node; and tell users through Events worded as CA words them.

export const COMPONENT = "cluster-autoscaler";

const asPod = (p: KubeObject): KubeObject => ({ ...p, apiVersion: "v1", kind: "Pod" });
const asNode = (n: KubeObject): KubeObject => ({ ...n, apiVersion: "v1", kind: "Node" });

export async function podEvents(
  api: ApiClient,
  pods: readonly KubeObject[],
  reason: string,
  message: (p: KubeObject) => string,
  type: "Normal" | "Warning" = "Normal",
): Promise<void> {
  await Promise.all(pods.map((p) => recordEvent(api, asPod(p), type, reason, message(p), COMPONENT)));
}

export const notTriggered = (api: ApiClient, unhelped: { pod: KubeObject; reasons: string }[]) =>
  Promise.all(
    unhelped.map((u) =>
      recordEvent(
        api,
        asPod(u.pod),
        "Normal",
        "NotTriggerScaleUp",
        notTriggeredMessage(u.reasons),
        COMPONENT,
      ),
    ),
  );

/**
 * Launches what the group lacks (desiredSize above its live instances), as its ASG would. When capacity runs
 * out, desiredSize comes back down to what it has, so the missing nodes are not waited for forever, and the
 * group goes into backoff: the next scale-up tries another group. Returns the failure, if any.
 */
export async function converge(
  ctx: EksContext,
  cluster: ClusterDoc,
  name: string,
  live: readonly Instance[],
): Promise<{ launched: number; failure?: string }> {
  const ng = cluster.nodegroups?.[name];
  if (!ng) return { launched: 0 };
  const missing = ng.scalingConfig.desiredSize - live.length;
  if (missing <= 0) return { launched: 0 };
  const out = await launchNodes(ctx, cluster, ng, missing, live);
  if (out.issue) {
    const have = live.length + out.launched.length;
    log("warn", "cluster autoscaler: scale-up fell short", {
      cluster: cluster.name,
      nodegroup: name,
      wanted: ng.scalingConfig.desiredSize,
      have,
      issue: out.issue.message,
    });
    await mutateCluster(ctx, cluster.name, (d) => {
      const g = d.nodegroups?.[name];
      if (g && g.scalingConfig.desiredSize > have)
        g.scalingConfig.desiredSize = Math.max(have, g.scalingConfig.minSize);
      const st = (d.clusterAutoscaler ??= { unneededSince: {} });
      st.backoff = { ...st.backoff, [name]: nextBackoff(st.backoff?.[name], Date.now()) };
    });
    return { launched: out.launched.length, failure: out.issue.message };
  }
  return { launched: out.launched.length };
}

/** Raises the group's desiredSize (if nobody changed it meanwhile), tells the pods, launches the nodes. */
export async function scaleUp(
  ctx: EksContext,
  api: ApiClient,
  clusterName: string,
  s: ScaleUp,
  live: readonly Instance[],
): Promise<boolean> {
  const { doc, result: ok } = await mutateCluster(ctx, clusterName, (d) => {
    const ng = d.nodegroups?.[s.group];
    if (ng?.status !== "ACTIVE" || ng.scalingConfig.desiredSize !== s.from) return false;
    ng.scalingConfig.desiredSize = Math.min(s.to, ng.scalingConfig.maxSize);
    return true;
  });
  if (!ok) return false;
  log("info", "cluster autoscaler: scale-up", {
    cluster: clusterName,
    nodegroup: s.group,
    from: s.from,
    to: s.to,
    pods: s.pods.length,
  });
  await podEvents(api, s.pods, "TriggeredScaleUp", () => triggeredMessage(s));
  const out = await converge(ctx, doc, s.group, live);
  const failure = out.failure;
  if (failure)
    await podEvents(api, s.pods, "FailedScaleUp", () => failedScaleUpMessage(s.zones, failure), "Warning");
  return true;
}

const taintChange = (add: boolean): NodeChange => ({
  addLabels: {},
  removeLabels: [],
  addTaints: add
    ? [{ key: TO_BE_DELETED_TAINT, value: String(Math.floor(Date.now() / 1000)), effect: "NoSchedule" }]
    : [],
  removeTaints: add ? [] : [{ key: TO_BE_DELETED_TAINT }],
});

/** Takes a node back: CA's taint off, uncordoned (the drain cordoned it). */
export async function releaseNode(api: ApiClient, cluster: string, inst: Instance): Promise<void> {
  await patchInstances(cluster, [inst], taintChange(false));
  await api
    .mergePatch(`/api/v1/nodes/${encodeURIComponent(inst.privateDnsName)}`, { spec: { unschedulable: null } })
    .catch(() => undefined);
}

/**
 * Removes one unneeded node as CA does: taint it ToBeDeletedByClusterAutoscaler, drain it (evictions, so
 * PodDisruptionBudgets hold), then take one off the group's desiredSize (never below minSize) and terminate
 * the instance. A drain that does not finish, or a group that changed meanwhile, aborts and releases the node.
 */
export async function removeNode(
  ctx: EksContext,
  api: ApiClient,
  cluster: string,
  group: string,
  node: KubeObject,
  inst: Instance,
  pods: readonly KubeObject[],
  alreadyTainted = false,
): Promise<boolean> {
  const n = asNode(node);
  if (!alreadyTainted) {
    await patchInstances(cluster, [inst], taintChange(true));
    await recordEvent(
      api,
      n,
      "Normal",
      "ScaleDown",
      "marked the node as toBeDeleted/unschedulable",
      COMPONENT,
    );
    await podEvents(api, pods, "ScaleDown", () => "deleting pod for node scale down");
  }
  const undrained = await drainInstances(cluster, [inst]);
  if (undrained.length) {
    await recordEvent(
      api,
      n,
      "Warning",
      "ScaleDownFailed",
      "failed to drain the node, aborting ScaleDown",
      COMPONENT,
    );
    await releaseNode(api, cluster, inst);
    return false;
  }
  const { result: ok } = await mutateCluster(ctx, cluster, (d) => {
    const ng = d.nodegroups?.[group];
    const since = d.clusterAutoscaler?.unneededSince;
    if (since) delete since[inst.privateDnsName];
    if (ng?.status !== "ACTIVE" || ng.scalingConfig.desiredSize <= ng.scalingConfig.minSize) return false;
    ng.scalingConfig.desiredSize -= 1;
    return true;
  });
  if (!ok) {
    await releaseNode(api, cluster, inst);
    return false;
  }
  await recordEvent(api, n, "Normal", "ScaleDown", "node removed by cluster autoscaler", COMPONENT);
  await removeInstances(ctx, cluster, [inst]);
  log("info", "cluster autoscaler: node removed", { cluster, nodegroup: group, node: inst.privateDnsName });
  return true;
}
