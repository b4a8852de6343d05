import { log } from "../../log.ts";
import { EksError } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op, queryOne } from "../op.ts";
import { addonOut } from "../shapes.ts";
import { issueOf, objectsFor } from "./addon-rules.ts";
import { addonNotFound } from "./update-scope.ts";

// DeleteAddon (DELETE /clusters/{name}/addons/{addonName}?preserve). The add-on turns DELETING, its objects
// are removed unless `preserve=true` keeps them running unmanaged, and the record goes (404 afterwards).
// If removing the objects fails, it stays as DELETE_FAILED with the reason in its health.

export const deleteAddon: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const addonName = req.params.addonName;
  const preserve = queryOne(req, "preserve") === "true";
  const marked = await mutateCluster(ctx, cluster, (doc) => {
    const addon = doc.addons[addonName];
    if (!addon) throw addonNotFound(cluster, addonName);
    addon.status = "DELETING";
    addon.modifiedAt = nowMs(ctx);
    return addon;
  });
  const addon = marked.result;
  let failure: unknown;
  if (!preserve)
    try {
      await ctx.effects.deleteObjects(cluster, objectsFor(ctx, marked.doc, addon));
    } catch (e) {
      failure = e;
      log("error", "eks add-on delete failed", { cluster, addon: addonName, error: String(e) });
    }
  try {
    await mutateCluster(ctx, cluster, (doc) => {
      const current = doc.addons[addonName];
      if (!current || current.arn !== addon.arn) return;
      if (failure === undefined) {
        delete doc.addons[addonName];
        doc.updates = doc.updates.filter((u) => u.addonName !== addonName);
      } else {
        current.status = "DELETE_FAILED";
        current.healthIssues = issueOf(failure);
      }
    });
  } catch (e) {
    if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
  }
  return { addon: addonOut(cluster, addon) };
};
