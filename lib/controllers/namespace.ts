import type { KubeObject } from "../api/types.ts";
import { isConflict } from "../client/client.ts";
import { clientFor, now } from "../client/runtime.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import { type ContentReport, removeContent } from "./namespace-content.ts";

// Namespace lifecycle. Deleting a namespace only marks it Terminating (the "kubernetes" finalizer in
// spec.finalizers holds it); this loop deletes its content, reports what remains as status conditions, and
// once nothing is left removes the finalizer through the finalize subresource, which completes the delete.
// Objects held by their own finalizers keep the namespace: the loop re-checks every few seconds meanwhile.

const FINALIZER = "kubernetes";
const RECHECK_SECONDS = 2;

interface Condition {
  type: string;
  status: "True" | "False";
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

function describe(counts: Map<string, number>, what: string): string {
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}${what} ${n} resource instances`)
    .join(", ");
}

/** The conditions kube's namespace controller reports while it deletes content. */
export function namespaceConditions(r: ContentReport): Condition[] {
  const failed = r.failures.length > 0;
  return [
    {
      type: "NamespaceDeletionDiscoveryFailure",
      status: "False",
      reason: "ResourcesDiscovered",
      message: "All resources successfully discovered",
    },
    {
      type: "NamespaceDeletionGroupVersionParsingFailure",
      status: "False",
      reason: "ParsedGroupVersions",
      message: "All legacy kube types successfully parsed",
    },
    failed
      ? {
          type: "NamespaceDeletionContentFailure",
          status: "True",
          reason: "ContentDeletionFailed",
          message: `Failed to delete all resource types, ${r.failures.length} remaining: ${r.failures.join(", ")}`,
        }
      : {
          type: "NamespaceDeletionContentFailure",
          status: "False",
          reason: "ContentDeleted",
          message: "All content successfully deleted, may be waiting on finalization",
        },
    r.remaining.size > 0
      ? {
          type: "NamespaceContentRemaining",
          status: "True",
          reason: "SomeResourcesRemain",
          message: `Some resources are remaining: ${describe(r.remaining, " has")}`,
        }
      : {
          type: "NamespaceContentRemaining",
          status: "False",
          reason: "ContentRemoved",
          message: "All content successfully removed",
        },
    r.finalizers.size > 0
      ? {
          type: "NamespaceFinalizersRemaining",
          status: "True",
          reason: "SomeFinalizersRemain",
          message: `Some content in the namespace has finalizers remaining: ${describe(r.finalizers, " in")}`,
        }
      : {
          type: "NamespaceFinalizersRemaining",
          status: "False",
          reason: "ContentHasNoFinalizers",
          message: "All content-preserving finalizers finished",
        },
  ];
}

/** New conditions keep the transition time of an old one whose status did not change. */
function mergeConditions(old: Condition[], next: Condition[], at: string): Condition[] {
  return next.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : at };
  });
}

function finalizersOf(ns: KubeObject): string[] {
  return (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
}

export async function reconcileNamespace(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "namespace-controller");
  const name = item.key;
  const path = `/api/v1/namespaces/${name}`;
  const ns = await api.get(path);
  if (!ns?.metadata.deletionTimestamp || !finalizersOf(ns).includes(FINALIZER)) return;
  const report = await removeContent(api, name);
  const status = (ns.status ?? {}) as { phase?: string; conditions?: Condition[] };
  const conditions = mergeConditions(status.conditions ?? [], namespaceConditions(report), now());
  let current = ns;
  if (
    JSON.stringify(conditions) !== JSON.stringify(status.conditions ?? []) ||
    status.phase !== "Terminating"
  ) {
    try {
      current = await api.update(`${path}/status`, {
        ...ns,
        status: { ...status, phase: "Terminating", conditions },
      });
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
  const done = report.settled && report.remaining.size === 0 && report.failures.length === 0;
  if (done) {
    try {
      await api.update(`${path}/finalize`, {
        ...current,
        spec: {
          ...(current.spec as object),
          finalizers: finalizersOf(current).filter((f) => f !== FINALIZER),
        },
      });
      log("info", "namespace content removed", { cluster: item.cluster, kind: "Namespace", key: name });
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  } else {
    log("info", "namespace waits for its content", {
      cluster: item.cluster,
      kind: "Namespace",
      key: name,
      remaining: Object.fromEntries(report.remaining),
      failures: report.failures.length,
    });
  }
  await requeueAfter([
    {
      queue: "controllers",
      item: { cluster: item.cluster, controller: "namespace", key: name },
      afterSeconds: RECHECK_SECONDS,
    },
  ]);
}

export const namespaceController: ControllerModule = {
  name: "namespace",
  objectKinds: ["/namespaces"],
  route(ch, emit) {
    if (ch.group !== "" || ch.plural !== "namespaces" || ch.type === "DELETED") return;
    if (ch.object?.metadata.deletionTimestamp) emit("controllers", "namespace", ch.name);
  },
  reconcilers: { controllers: { namespace: reconcileNamespace } },
};
