import { z } from "zod";
import { log } from "../../log.ts";
import { EksError, eksErrors } from "../errors.ts";
import { addonArn, newUuid } from "../ids.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";
import type { AddonDoc } from "../repo.ts";
import { checkTags, TagsRequest } from "../schemas.ts";
import { addonOut } from "../shapes.ts";
import { parseWith } from "../validate.ts";
import { issueOf, objectsFor, resolveAddonVersion } from "./addon-rules.ts";

// CreateAddon (POST /clusters/{name}/addons). The add-on is recorded CREATING, its kube-system objects are
// applied, and it turns ACTIVE (CREATE_FAILED if applying fails). The response is the CREATING snapshot.
// configurationValues are stored and returned but not applied to the manifests.

const Body = z.object({
  addonName: z.string().min(1),
  addonVersion: z.string().min(1).optional(),
  serviceAccountRoleArn: z.string().min(1).optional(),
  resolveConflicts: z.enum(["OVERWRITE", "NONE", "PRESERVE"]).optional(),
  clientRequestToken: z.string().min(1).optional(),
  tags: TagsRequest.optional(),
  configurationValues: z.string().optional(),
});

export const createAddon: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, { clusterName: cluster }));
  const members = { clusterName: cluster, addonName: body.addonName };
  checkTags(body.tags ?? {}, (m) => eksErrors.invalidParameter(m, members));
  const created = await mutateCluster(ctx, cluster, (doc): { addon: AddonDoc; fresh: boolean } => {
    const prior = doc.addons[body.addonName];
    if (prior) {
      if (body.clientRequestToken && prior.clientRequestToken === body.clientRequestToken)
        return { addon: prior, fresh: false };
      throw eksErrors.inUse("Addon already exists.", members);
    }
    if (doc.status !== "ACTIVE" && doc.status !== "UPDATING")
      throw eksErrors.invalidRequest(`Cluster ${cluster} is in ${doc.status} status`, members);
    const now = nowMs(ctx);
    const addon: AddonDoc = {
      addonName: body.addonName,
      addonVersion: resolveAddonVersion(doc, body.addonName, body.addonVersion),
      status: "CREATING",
      arn: addonArn(ctx, cluster, body.addonName, newUuid()),
      createdAt: now,
      modifiedAt: now,
      tags: { ...(body.tags ?? {}) },
      ...(body.serviceAccountRoleArn ? { serviceAccountRoleArn: body.serviceAccountRoleArn } : {}),
      ...(body.configurationValues ? { configurationValues: body.configurationValues } : {}),
      ...(body.clientRequestToken ? { clientRequestToken: body.clientRequestToken } : {}),
      ...(body.resolveConflicts ? { resolveConflicts: body.resolveConflicts } : {}),
    };
    doc.addons[addon.addonName] = addon;
    return { addon, fresh: true };
  });
  const { addon, fresh } = created.result;
  if (fresh) {
    let failure: unknown;
    try {
      await ctx.effects.applyObjects(cluster, objectsFor(ctx, created.doc, addon));
    } catch (e) {
      failure = e;
      log("error", "eks add-on apply failed", { cluster, addon: addon.addonName, error: String(e) });
    }
    try {
      await mutateCluster(ctx, cluster, (doc) => {
        const a = doc.addons[addon.addonName];
        if (!a || a.arn !== addon.arn || a.status !== "CREATING") return;
        a.status = failure === undefined ? "ACTIVE" : "CREATE_FAILED";
        if (failure !== undefined) a.healthIssues = issueOf(failure);
        a.modifiedAt = nowMs(ctx);
      });
    } catch (e) {
      if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
    }
  }
  return { addon: addonOut(cluster, addon) };
};
