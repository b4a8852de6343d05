import { EksError, eksErrors } from "./errors.ts";
import { newUuid } from "./ids.ts";
import { capUpdates, mutateCluster } from "./mutate.ts";
import { nowMs } from "./op.ts";
import type { ClusterDoc, EksContext, UpdateDoc } from "./repo.ts";

// The life of an Update: started InProgress (the cluster UPDATING for cluster-level changes), the change
// made inline, then Successful (or Failed with the reason) and the cluster ACTIVE again. The response is the
// InProgress record, as EKS answers before the change is done; DescribeUpdate shows the outcome.

export interface UpdateSpec {
  /** VersionUpdate, LoggingUpdate, AddonUpdate… */
  type: string;
  clientRequestToken?: string;
  /** Set for add-on updates: they list under ListUpdates?addonName and leave the cluster ACTIVE. */
  addonName?: string;
  /** Validates the request against the current document and returns the update's params. */
  check(doc: ClusterDoc): { type: string; value: string }[];
  /** Kubernetes-side work between start and finish (idempotent). */
  effect?(doc: ClusterDoc): Promise<void>;
  /** The document change when the update succeeds. */
  apply(doc: ClusterDoc): void;
}

/** An update that was left InProgress this long (a crash between start and finish) no longer blocks others. */
const STALE_MS = 5 * 60_000;

function expireStale(doc: ClusterDoc, now: number): void {
  // Node-group updates have their own (longer) sweep, in the node-group code.
  for (const u of doc.updates)
    if (u.status === "InProgress" && !u.nodegroupName && now - u.createdAt > STALE_MS) {
      u.status = "Failed";
      u.errors.push({
        errorCode: "Unknown",
        errorMessage: "The update was interrupted",
        resourceIds: [doc.name],
      });
      if (u.addonName && doc.addons[u.addonName]?.status === "UPDATING")
        doc.addons[u.addonName].status = "ACTIVE";
      else if (!u.addonName && doc.status === "UPDATING") doc.status = "ACTIVE";
    }
}

function blocking(doc: ClusterDoc, spec: UpdateSpec): UpdateDoc | undefined {
  return doc.updates.find(
    (u) =>
      u.status === "InProgress" &&
      !u.nodegroupName &&
      (spec.addonName ? u.addonName === spec.addonName : !u.addonName),
  );
}

export async function runUpdate(ctx: EksContext, name: string, spec: UpdateSpec): Promise<UpdateDoc> {
  const started = await mutateCluster(ctx, name, (doc): { update: UpdateDoc; fresh: boolean } => {
    const now = nowMs(ctx);
    const again = spec.clientRequestToken
      ? doc.updates.find(
          (u) => u.clientRequestToken === spec.clientRequestToken && u.addonName === spec.addonName,
        )
      : undefined;
    if (again) return { update: again, fresh: false };
    expireStale(doc, now);
    const busy = blocking(doc, spec);
    if (busy) {
      if (spec.addonName)
        throw eksErrors.inUse(
          `Addon ${spec.addonName} cannot be updated as it is currently in UPDATING state`,
          {
            clusterName: name,
            addonName: spec.addonName,
          },
        );
      throw eksErrors.updateInProgress(spec.type, name, busy.id);
    }
    if (doc.status !== "ACTIVE")
      throw eksErrors.inUse(`Cannot ${spec.type} because cluster ${name} is in ${doc.status} status`, {
        clusterName: name,
      });
    const update: UpdateDoc = {
      id: newUuid(),
      type: spec.type,
      status: "InProgress",
      params: spec.check(doc),
      createdAt: now,
      errors: [],
      ...(spec.clientRequestToken ? { clientRequestToken: spec.clientRequestToken } : {}),
      ...(spec.addonName ? { addonName: spec.addonName } : {}),
    };
    doc.updates.push(update);
    capUpdates(doc);
    if (spec.addonName) doc.addons[spec.addonName].status = "UPDATING";
    else doc.status = "UPDATING";
    return { update, fresh: true };
  });
  const { update, fresh } = started.result;
  if (!fresh) return update;
  let failure: string | undefined;
  try {
    await spec.effect?.(started.doc);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  await finish(ctx, name, update.id, spec, failure);
  return update;
}

async function finish(
  ctx: EksContext,
  name: string,
  id: string,
  spec: UpdateSpec,
  failure: string | undefined,
): Promise<void> {
  try {
    await mutateCluster(ctx, name, (doc) => {
      const u = doc.updates.find((x) => x.id === id);
      if (u?.status !== "InProgress") return;
      if (failure === undefined) {
        spec.apply(doc);
        u.status = "Successful";
      } else {
        u.status = "Failed";
        u.errors.push({ errorCode: "Unknown", errorMessage: failure, resourceIds: [name] });
      }
      if (spec.addonName) {
        const addon = doc.addons[spec.addonName];
        if (addon) {
          addon.status = failure === undefined ? "ACTIVE" : "UPDATE_FAILED";
          addon.modifiedAt = nowMs(ctx);
        }
      } else if (doc.status === "UPDATING") doc.status = "ACTIVE";
    });
  } catch (e) {
    // The cluster was deleted meanwhile: nothing left to finish.
    if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
  }
}
