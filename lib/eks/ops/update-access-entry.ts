import { z } from "zod";
import { checkGroups, checkUsername, entryOf, entryOut } from "../access-entries.ts";
import { eksErrors } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";
import { parseWith } from "../validate.ts";

// UpdateAccessEntry (POST /clusters/{name}/access-entries/{principalArn}). Only the username and groups can
// change; an omitted member keeps its value, and kubernetesGroups replaces the whole list.

const Body = z.object({
  kubernetesGroups: z.array(z.string()).optional(),
  clientRequestToken: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
});

export const updateAccessEntry: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, { clusterName: cluster }));
  const { result } = await mutateCluster(ctx, cluster, (doc) => {
    const entry = entryOf(doc, req.params.principalArn);
    if (body.username !== undefined) checkUsername(cluster, body.username);
    if (body.kubernetesGroups !== undefined) checkGroups(cluster, entry.type, body.kubernetesGroups);
    if (body.username !== undefined) entry.username = body.username;
    // A node entry's groups are EKS's own; an empty list sent back for one (as terraform does) leaves them.
    if (body.kubernetesGroups !== undefined && entry.type === "STANDARD")
      entry.kubernetesGroups = [...new Set(body.kubernetesGroups)];
    entry.modifiedAt = nowMs(ctx);
    return entry;
  });
  return { accessEntry: entryOut(cluster, result) };
};
