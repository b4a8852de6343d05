import { z } from "zod";
import { log } from "../../log.ts";
import { EksError, eksErrors } from "../errors.ts";
import { newUuid } from "../ids.ts";
import { capUpdates, mutateCluster } from "../mutate.ts";
import { invalidNodegroup, nodegroupOf, releaseVersionOf } from "../nodegroups.ts";
import { nowMs, type Op } from "../op.ts";
import type { NodegroupDoc, UpdateDoc } from "../repo.ts";
import { evictionTimeoutMs } from "../rollout.ts";
import { kickNodegroup } from "../rollout-kick.ts";
import { updateOut } from "../shapes.ts";
import { parseWith } from "../validate.ts";
import { parseVersion } from "./nodegroup-rules.ts";

// UpdateNodegroupVersion (POST /clusters/{name}/node-groups/{nodegroupName}/update-version): a rolling
// replacement of the group's nodes with the new Kubernetes version and AMI release, recorded as an Update of
// type VersionUpdate (params Version and ReleaseVersion) listed under ListUpdates?nodegroupName. The call only
// validates, records the target on the group (status UPDATING) and hands the work to the rollout loop
// (rollout-kick.ts); it answers the InProgress Update at once, as EKS does. Without a version the group
// goes to the cluster's; without a release, to the newest release of that version.

const Body = z.object({
  version: z.string().min(1).optional(),
  releaseVersion: z.string().min(1).optional(),
  launchTemplate: z.object({ name: z.string(), version: z.string(), id: z.string() }).partial().optional(),
  force: z.boolean().optional(),
  clientRequestToken: z.string().min(1).optional(),
});

const minorOf = (v: string): number => Number(/^1\.(\d+)$/.exec(v)?.[1] ?? Number.NaN);

export const updateNodegroupVersion: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const name = req.params.nodegroupName;
  const members = { clusterName: cluster, nodegroupName: name };
  const invalid = (m: string) => invalidNodegroup(m, members);
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, members));

  const started = await mutateCluster(ctx, cluster, (doc): { update: UpdateDoc; fresh: boolean } => {
    const ng: NodegroupDoc = nodegroupOf(doc, name);
    const again = body.clientRequestToken
      ? doc.updates.find((u) => u.clientRequestToken === body.clientRequestToken && u.nodegroupName === name)
      : undefined;
    if (again) return { update: again, fresh: false };
    if (ng.status !== "ACTIVE")
      throw eksErrors.inUse(
        `Nodegroup ${name} is currently in ${ng.status} state and can't be updated.`,
        members,
      );
    if (body.launchTemplate)
      throw invalid(
        "You cannot specify a launch template because the nodegroup was not created with a launch template.",
      );
    const version = parseVersion(body.version, doc.version, invalid);
    if (minorOf(version) < minorOf(ng.version))
      throw invalid(
        `Requested Nodegroup version ${version} is older than the current Nodegroup version ${ng.version}.`,
      );
    const allowed = releaseVersionOf(version);
    if (body.releaseVersion !== undefined && body.releaseVersion !== allowed)
      throw invalid(
        `Requested Nodegroup release version ${body.releaseVersion} is invalid. Allowed release version is ${allowed}`,
      );
    const now = nowMs(ctx);
    const update: UpdateDoc = {
      id: newUuid(),
      type: "VersionUpdate",
      status: "InProgress",
      params: [
        { type: "Version", value: version },
        { type: "ReleaseVersion", value: allowed },
      ],
      createdAt: now,
      errors: [],
      nodegroupName: name,
      ...(body.clientRequestToken ? { clientRequestToken: body.clientRequestToken } : {}),
    };
    doc.updates.push(update);
    capUpdates(doc);
    ng.status = "UPDATING";
    ng.modifiedAt = now;
    ng.rollout = {
      updateId: update.id,
      version,
      releaseVersion: allowed,
      force: body.force ?? false,
      startedAt: now,
      evictionTimeoutMs: evictionTimeoutMs(),
      draining: {},
    };
    return { update, fresh: true };
  });
  const { update, fresh } = started.result;
  // A retried request (same token) re-kicks the loop: harmless, as every step reads the current state.
  try {
    await kickNodegroup(ctx, cluster, name);
  } catch (e) {
    log("error", "could not start the node group rollout", { cluster, nodegroup: name, error: String(e) });
    if (fresh) await undo(ctx, cluster, name, update.id);
    throw new EksError(
      "ServerException",
      "The node group update could not be started; retry the request",
      members,
    );
  }
  return { update: updateOut(update) };
};

/** Withdraws an update whose loop could not be started, so nothing is left half-begun. */
async function undo(ctx: Parameters<Op>[0], cluster: string, name: string, id: string): Promise<void> {
  await mutateCluster(ctx, cluster, (doc) => {
    doc.updates = doc.updates.filter((u) => u.id !== id);
    const ng = doc.nodegroups?.[name];
    if (ng?.rollout?.updateId === id) {
      delete ng.rollout;
      ng.status = "ACTIVE";
    }
  });
}
