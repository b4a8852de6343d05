import { z } from "zod";
import { eksErrors } from "../errors.ts";
import { nowMs, type Op } from "../op.ts";
import { updateOut } from "../shapes.ts";
import { runUpdate } from "../updates.ts";
import { parseWith } from "../validate.ts";
import { objectsFor, resolveAddonVersion } from "./addon-rules.ts";
import { addonNotFound } from "./update-scope.ts";

// UpdateAddon (POST /clusters/{name}/addons/{addonName}/update): an AddonUpdate that re-applies the
// add-on's objects at the new version (and role).

const Body = z.object({
  addonVersion: z.string().min(1).optional(),
  serviceAccountRoleArn: z.string().optional(),
  resolveConflicts: z.enum(["OVERWRITE", "NONE", "PRESERVE"]).optional(),
  clientRequestToken: z.string().min(1).optional(),
  configurationValues: z.string().optional(),
});

const SETTLED = new Set(["ACTIVE", "DEGRADED", "CREATE_FAILED", "UPDATE_FAILED"]);

export const updateAddon: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const addonName = req.params.addonName;
  const body = parseWith(Body, req.body, (m) =>
    eksErrors.invalidParameter(m, { clusterName: cluster, addonName }),
  );
  const update = await runUpdate(ctx, cluster, {
    type: "AddonUpdate",
    addonName,
    clientRequestToken: body.clientRequestToken,
    check: (doc) => {
      const addon = doc.addons[addonName];
      if (!addon) throw addonNotFound(cluster, addonName);
      if (!SETTLED.has(addon.status))
        throw eksErrors.inUse(
          `Addon ${addonName} cannot be updated as it is currently in ${addon.status} state`,
          {
            clusterName: cluster,
            addonName,
          },
        );
      const params = [];
      if (body.addonVersion)
        params.push({ type: "AddonVersion", value: resolveAddonVersion(doc, addonName, body.addonVersion) });
      if (body.serviceAccountRoleArn !== undefined)
        params.push({ type: "ServiceAccountRoleArn", value: body.serviceAccountRoleArn });
      if (body.resolveConflicts) params.push({ type: "ResolveConflicts", value: body.resolveConflicts });
      if (body.configurationValues !== undefined)
        params.push({ type: "ConfigurationValues", value: body.configurationValues });
      return params;
    },
    effect: async (doc) => {
      const addon = { ...doc.addons[addonName] };
      if (body.addonVersion) addon.addonVersion = body.addonVersion;
      if (body.serviceAccountRoleArn !== undefined)
        addon.serviceAccountRoleArn = body.serviceAccountRoleArn || undefined;
      await ctx.effects.applyObjects(cluster, objectsFor(ctx, doc, addon));
    },
    apply: (doc) => {
      const addon = doc.addons[addonName];
      if (!addon) return;
      if (body.addonVersion) addon.addonVersion = body.addonVersion;
      if (body.serviceAccountRoleArn !== undefined) {
        if (body.serviceAccountRoleArn) addon.serviceAccountRoleArn = body.serviceAccountRoleArn;
        else delete addon.serviceAccountRoleArn;
      }
      if (body.resolveConflicts) addon.resolveConflicts = body.resolveConflicts;
      if (body.configurationValues !== undefined) addon.configurationValues = body.configurationValues;
      addon.modifiedAt = nowMs(ctx);
    },
  });
  return { update: updateOut(update) };
};
