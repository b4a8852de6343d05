import type { KubeObject } from "../api/types.ts";
import { type ApiClient, isConflict } from "../client/client.ts";
import { nodeClientFor, now } from "../client/runtime.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { healthyConditions, kubeletStopped, nodeStatus } from "./nodes.ts";
import { kubeletSettled, podItemKey } from "./pod.ts";

// The simulated kubelet of a node (kubelet queue, controller `node`, key = node name): it fills in what a
// real kubelet reports for a node created through the API (labels, pod CIDR, capacity, conditions), renews
// the node's Lease in kube-node-lease every renew interval, and re-posts the node's conditions now and then
// (like nodeStatusReportFrequency). A timer chain per node drives the renewals; see `reconcileNodeKubelet`
// for how duplicate chains die out.

type Any = Record<string, any>;

export const LEASE_NS = "kube-node-lease";
const LEASE_DURATION_SECONDS = 40;

export function leaseRenewSeconds(): number {
  const v = Number(process.env.KUMULUS_NODE_LEASE_RENEW_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 10;
}

function statusReportSeconds(): number {
  const v = Number(process.env.KUMULUS_NODE_STATUS_REPORT_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 60;
}

export const leasePath = (node: string) =>
  `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/${encodeURIComponent(node)}`;

/** MicroTime, as Lease.spec.renewTime carries it. */
function microNow(): string {
  return new Date().toISOString().replace(/Z$/, "000Z");
}

/**
 * One lease renewal chain per node. A reconcile renews only when the lease is older than half the renew
 * interval, and re-arms its timer only when it renewed (or created) the lease. Extra chains (from node
 * changes, redeliveries) therefore find a fresh lease and end: of two chains, the one firing within half an
 * interval after the other stops, so a node that changes often still ends with a single chain.
 */
export async function reconcileNodeKubelet(item: WorkItem): Promise<void> {
  const name = item.key;
  const api = nodeClientFor(item.cluster, name);
  let node = await api.get(`/api/v1/nodes/${encodeURIComponent(name)}`);
  if (!node) {
    await api.delete(leasePath(name));
    return;
  }
  if (node.metadata.deletionTimestamp || kubeletStopped(node)) return;
  try {
    node = await registerDefaults(api, node);
  } catch (e) {
    if (isConflict(e)) return; // the newer version wakes this kubelet again
    throw e;
  }
  if (!node) return;

  const renew = leaseRenewSeconds();
  const lease = await api.get(leasePath(name));
  const renewed = Date.parse((lease?.spec as Any | undefined)?.renewTime ?? "");
  if (lease && !Number.isNaN(renewed) && Date.now() - renewed < (renew * 1000) / 2) return;
  try {
    const spec = {
      holderIdentity: name,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      renewTime: microNow(),
    };
    if (lease) await api.update(leasePath(name), { ...lease, spec: { ...(lease.spec as Any), ...spec } });
    else
      await api.create(`/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases`, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name,
          namespace: LEASE_NS,
          ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid! }],
        },
        spec,
      });
  } catch (e) {
    // Another chain renewed first (409 on update, AlreadyExists on create): that chain carries on.
    if (isConflict(e)) return;
    throw e;
  }
  await requeueAfter([
    { queue: "kubelet", item: { cluster: item.cluster, controller: "node", key: name }, afterSeconds: renew },
  ]);
  await postStatus(api, node);
  // A missed renewal means this kubelet was stopped: on restart it resyncs its pods (pods deleted
  // meanwhile are still Terminating and wait for it to confirm).
  if (lease && !Number.isNaN(renewed) && Date.now() - renewed > renew * 2000)
    await resyncPods(api, item.cluster, name);
}

async function resyncPods(api: ApiClient, cluster: string, node: string): Promise<void> {
  const { items } = await api.list(
    `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  // A pod whose status is already what its kubelet would write, with nothing pending, needs no pass: a
  // renewal that is late because the control plane is busy then adds no work to it.
  const stale = items.filter((p) => !kubeletSettled(p, Date.now()));
  if (stale.length === 0) return;
  await requeueAfter(
    stale.map((p) => ({
      queue: "kubelet" as const,
      item: { cluster, controller: "pod", key: podItemKey(node, p.metadata.namespace!, p.metadata.name!) },
      afterSeconds: 0,
    })),
  );
}

/** Re-posts healthy conditions when Ready is not True or the last heartbeat is older than the report period. */
async function postStatus(api: ApiClient, node: KubeObject): Promise<void> {
  const conds = ((node.status as Any | undefined)?.conditions ?? []) as Any[];
  const ready = conds.find((c) => c.type === "Ready");
  const beat = Date.parse(ready?.lastHeartbeatTime ?? "");
  const fresh = !Number.isNaN(beat) && Date.now() - beat < statusReportSeconds() * 1000;
  if (ready?.status === "True" && fresh) return;
  const ts = now();
  const next = healthyConditions(ts).map((c: Any) => {
    const old = conds.find((o) => o.type === c.type);
    return old && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
  const others = conds.filter((c) => !next.some((n: Any) => n.type === c.type));
  try {
    await api.update(`/api/v1/nodes/${encodeURIComponent(node.metadata.name!)}/status`, {
      ...node,
      status: { ...(node.status as Any), conditions: [...others, ...next] },
    });
  } catch (e) {
    if (!isConflict(e)) throw e; // retried at the next renewal
  }
}

/**
 * A Node created through the API (kubectl apply) gets what a registering kubelet and the node IPAM
 * controller would give it: the well-known labels, a free pod CIDR, and a status from its instance type.
 * Returns the node as it now is.
 */
async function registerDefaults(api: ApiClient, node: KubeObject): Promise<KubeObject | undefined> {
  const name = node.metadata.name!;
  const path = `/api/v1/nodes/${encodeURIComponent(name)}`;
  const labels = { ...(node.metadata.labels ?? {}) };
  const spec = { ...((node.spec as Any | undefined) ?? {}) };
  const wanted: Record<string, string> = {
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/os": "linux",
    "kubernetes.io/hostname": name,
    "node.kubernetes.io/instance-type": "m5.xlarge",
  };
  let changed = false;
  for (const [k, v] of Object.entries(wanted))
    if (labels[k] === undefined) {
      labels[k] = v;
      changed = true;
    }
  if (!spec.podCIDR) {
    const used = new Set(
      (await api.list("/api/v1/nodes")).items.map((n) => (n.spec as Any | undefined)?.podCIDR),
    );
    let i = 0;
    while (i < 255 && used.has(`10.244.${i}.0/24`)) i++;
    spec.podCIDR = `10.244.${i}.0/24`;
    spec.podCIDRs = [spec.podCIDR];
    changed = true;
  }
  if (changed) node = await api.update(path, { ...node, metadata: { ...node.metadata, labels }, spec });
  const status = (node.status ?? {}) as Any;
  if (status.capacity && (status.conditions ?? []).some((c: Any) => c.type === "Ready")) return node;
  const index = Number(String(spec.podCIDR).split(".")[2]) || 0;
  const type = labels["node.kubernetes.io/instance-type"];
  const defaults = nodeStatus(name, index, type, `10.0.${index}.${10 + index}`) as Any;
  return api.update(`${path}/status`, {
    ...node,
    status: {
      ...defaults,
      ...status,
      capacity: status.capacity ?? defaults.capacity,
      allocatable: status.allocatable ?? status.capacity ?? defaults.allocatable,
      conditions: defaults.conditions,
    },
  });
}
