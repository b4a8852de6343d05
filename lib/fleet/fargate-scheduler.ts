import type { KubeObject } from "../api/types.ts";
import { capacityProvisioned, fargateSizeOf, type PodResources } from "../capacity/fargate-size.ts";
import { type Instance, isLive } from "../capacity/instance.ts";
import { isInsufficientCapacity } from "../capacity/provider.ts";
import { isConflict, isNotFound } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { clientFor, now, splitKey } from "../client/runtime.ts";
import { FARGATE_PROFILE_LABEL, FARGATE_SCHEDULER, profileStatus } from "../eks/fargate.ts";
import { inRegionOf } from "../eks/mutate.ts";
import { capacity, registrar } from "../eks/node-host.ts";
import { subnetZones } from "../eks/nodegroups.ts";
import type { ClusterDoc } from "../eks/repo.ts";
import { findVersion } from "../eks/versions.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { fleetContext } from "./context.ts";
import { fargateNodeFor, fargateNodeName, unsupportedReason } from "./fargate-support.ts";

// The Fargate scheduler: one micro-VM per pod. A pending pod the admission step gave to `fargate-scheduler`
// is checked for what Fargate cannot run, sized (lib/capacity/fargate-size.ts), given Fargate capacity in a
// zone of its profile's subnets, registered as its own `fargate-ip-…` node and bound to it. When the pod
// goes (deleted, or Succeeded/Failed) the node is removed and the capacity terminated, which ends its billing.
// Work is per pod (key namespace/name); the instance carries the pod's uid as a tag, so a retried reconcile
// finds the capacity it launched before instead of launching again.

const POD_TAG = "kumulus.io/fargate-pod";
const UID_TAG = "kumulus.io/fargate-pod-uid";
const PROFILE_TAG = "eks:fargate-profile";
const CAPACITY_ANNOTATION = "CapacityProvisioned";
/** EKS's answer when no zone of the profile has Fargate capacity. */
const NO_CAPACITY =
  "Fargate capacity is unavailable at this time. Please try again later or in a different availability zone";
const RETRY_SECONDS = 10;

interface PodFields {
  spec?: PodResources & { nodeName?: string; schedulerName?: string };
  status?: { phase?: string; conditions?: { type: string; message?: string }[] };
}
type Pod = KubeObject & PodFields;

const isFargatePod = (p: Pod | undefined) => p?.spec?.schedulerName === FARGATE_SCHEDULER;
const isDone = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

export const fargateSchedulerModule: ControllerModule = {
  name: "fargate-scheduler",
  objectKinds: ["/pods"],
  route(ch, emit) {
    if (`${ch.group}/${ch.plural}` !== "/pods") return;
    const pod = ch.object as Pod | undefined;
    if (!isFargatePod(pod)) return;
    // Pending pods need capacity; pods that went or finished give theirs back. Running pods need nothing,
    // nor does a pod whose reconcile has sized it and is binding it (the annotation is written just before).
    const binding = pod?.metadata.annotations?.[CAPACITY_ANNOTATION] !== undefined;
    if (ch.type === "DELETED" || (!pod?.spec?.nodeName && !binding) || (pod && isDone(pod)))
      emit("controllers", "fargate-scheduler", `${ch.namespace}/${ch.name}`);
  },
  reconcilers: { controllers: { "fargate-scheduler": reconcileFargatePod } },
};

export async function reconcileFargatePod(item: WorkItem): Promise<void> {
  const { namespace, name } = splitKey(item.key);
  const api = clientFor(item.cluster, "eks");
  const pod = (await api.get(`/api/v1/namespaces/${namespace}/pods/${name}`)) as Pod | undefined;
  const ctx = fleetContext();
  const provider = capacity(ctx);
  const instances = (
    await provider.describe(item.cluster, {
      tags: { [POD_TAG]: item.key },
      states: ["running", "interrupted"],
    })
  ).filter((i) => isLive(i, Date.now()));
  const keep = pod && isFargatePod(pod) && !isDone(pod) ? pod.metadata.uid : undefined;
  const stale = instances.filter((i) => i.tags[UID_TAG] !== keep);
  if (stale.length) await release(item.cluster, stale);
  if (!pod || !keep || pod.spec?.nodeName || pod.metadata.deletionTimestamp) return;
  const mine = instances.find((i) => i.tags[UID_TAG] === keep);
  await place(item, pod, mine);
}

/** Removes the instances' nodes and terminates them. */
async function release(cluster: string, instances: readonly Instance[]): Promise<void> {
  const nodes = registrar();
  for (const i of instances) await nodes.remove(cluster, fargateNodeName(i));
  await capacity(fleetContext()).terminate(
    cluster,
    instances.map((i) => i.id),
  );
  log("info", "fargate capacity released", { cluster, instances: instances.map((i) => i.id) });
}

async function place(item: WorkItem, pod: Pod, existing: Instance | undefined): Promise<void> {
  const api = clientFor(item.cluster, "eks");
  const unsupported = unsupportedReason(pod);
  if (unsupported) return markUnschedulable(api, pod, unsupported);
  const size = fargateSizeOf(pod.spec ?? {});
  if (!size)
    return markUnschedulable(
      api,
      pod,
      "Pod not supported on Fargate: total resource requests exceed the largest Fargate configuration (16 vCPU, 120 GB)",
    );
  const doc = (await fleetContext().repo.get(item.cluster))?.doc;
  const ctx = doc ? inRegionOf(fleetContext(), doc) : fleetContext();
  const profileName = pod.metadata.labels?.[FARGATE_PROFILE_LABEL] ?? "";
  const profile = doc?.fargateProfiles?.[profileName];
  if (!doc || !profile || profileStatus(profile, Date.now()) !== "ACTIVE")
    return markUnschedulable(
      api,
      pod,
      `Pod not supported on Fargate: fargate profile ${profileName} not found`,
    );

  let instance = existing;
  if (!instance) {
    const got = await capacity(ctx).launch({
      cluster: item.cluster,
      capacityType: "fargate",
      fargate: size,
      zones: subnetZones(doc, ctx.region, profile.subnets),
      tags: {
        "eks:cluster-name": item.cluster,
        [PROFILE_TAG]: profileName,
        [POD_TAG]: item.key,
        [UID_TAG]: pod.metadata.uid ?? "",
      },
    });
    if (isInsufficientCapacity(got)) {
      await markUnschedulable(api, pod, NO_CAPACITY);
      await requeueAfter([
        {
          queue: "controllers",
          item: { cluster: item.cluster, controller: "fargate-scheduler", key: item.key },
          afterSeconds: RETRY_SECONDS,
        },
      ]);
      return;
    }
    instance = got[0];
  }
  const node = fargateNodeFor(instance, size, kubeletVersionOf(doc));
  await registrar().register(item.cluster, node);
  const { namespace, name } = splitKey(item.key);
  const path = `/api/v1/namespaces/${namespace}/pods/${name}`;
  try {
    await api.mergePatch(path, {
      metadata: { uid: pod.metadata.uid, annotations: { [CAPACITY_ANNOTATION]: capacityProvisioned(size) } },
    });
    await api.create(`${path}/binding`, {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name, namespace, uid: pod.metadata.uid },
      target: { apiVersion: "v1", kind: "Node", name: node.name },
    });
  } catch (e) {
    // Deleted or replaced meanwhile: the next reconcile of the key gives the capacity back.
    if (isConflict(e) || isNotFound(e)) {
      await requeueAfter([
        {
          queue: "controllers",
          item: { cluster: item.cluster, controller: "fargate-scheduler", key: item.key },
          afterSeconds: 1,
        },
      ]);
      return;
    }
    throw e;
  }
  await recordEvent(
    api,
    pod,
    "Normal",
    "Scheduled",
    `Successfully assigned ${namespace}/${name} to ${node.name}`,
    FARGATE_SCHEDULER,
  );
}

function kubeletVersionOf(doc: ClusterDoc): string {
  return `v${findVersion(doc.version)?.kubernetesPatchVersion ?? `${doc.version}.0`}-eks-kumulus`;
}

/** PodScheduled=False with the reason, and a FailedScheduling event from fargate-scheduler; the pod stays Pending. */
async function markUnschedulable(
  api: ReturnType<typeof clientFor>,
  pod: Pod,
  message: string,
): Promise<void> {
  const conditions = pod.status?.conditions ?? [];
  if (conditions.some((c) => c.type === "PodScheduled" && c.message === message)) return;
  const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`;
  try {
    await api.update(path, {
      ...pod,
      status: {
        ...(pod.status ?? {}),
        phase: "Pending",
        conditions: [
          ...conditions.filter((c) => c.type !== "PodScheduled"),
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message,
            lastProbeTime: null,
            lastTransitionTime: now(),
          },
        ],
      },
    });
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
  await recordEvent(api, pod, "Warning", "FailedScheduling", message, FARGATE_SCHEDULER);
}
