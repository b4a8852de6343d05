import { z } from "zod";
import {
  accessEntryArn,
  checkGroups,
  checkPrincipal,
  checkType,
  checkUsername,
  defaultGroups,
  entryOut,
  MAX_ACCESS_ENTRIES,
  requireApiMode,
} from "../access-entries.ts";
import { EksError, eksErrors } from "../errors.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";
import type { AccessEntryDoc } from "../repo.ts";
import { checkTags, TagsRequest } from "../schemas.ts";
import { parseWith } from "../validate.ts";

// CreateAccessEntry (POST /clusters/{name}/access-entries). One entry per principal; a retry with the
// same clientRequestToken answers the entry it created.

const Body = z.object({
  principalArn: z.string().min(1),
  kubernetesGroups: z.array(z.string()).optional(),
  tags: TagsRequest.optional(),
  clientRequestToken: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
});

export const createAccessEntry: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const invalid = (m: string) => eksErrors.invalidParameter(m, { clusterName: cluster });
  const body = parseWith(Body, req.body, invalid);
  const type = body.type ?? "STANDARD";
  const groups = body.kubernetesGroups ?? [];
  const { result } = await mutateCluster(ctx, cluster, (doc) => {
    requireApiMode(doc);
    checkType(cluster, type);
    const principal = checkPrincipal(ctx, cluster, body.principalArn, type);
    if (body.username !== undefined) checkUsername(cluster, body.username);
    checkGroups(cluster, type, groups);
    checkTags(body.tags ?? {}, invalid);
    const entries = (doc.accessEntries ??= {});
    const prior = entries[body.principalArn];
    if (prior) {
      if (body.clientRequestToken && prior.clientRequestToken === body.clientRequestToken) return prior;
      throw eksErrors.inUse("The specified access entry resource is already in use on this cluster.", {
        clusterName: cluster,
      });
    }
    if (Object.keys(entries).length >= MAX_ACCESS_ENTRIES)
      throw new EksError(
        "ResourceLimitExceededException",
        `A cluster can have at most ${MAX_ACCESS_ENTRIES} access entries.`,
        { clusterName: cluster },
      );
    const now = nowMs(ctx);
    const entry: AccessEntryDoc = {
      principalArn: body.principalArn,
      type,
      ...(body.username !== undefined ? { username: body.username } : {}),
      kubernetesGroups: type === "STANDARD" ? [...new Set(groups)] : defaultGroups(type),
      arn: accessEntryArn(ctx, cluster, principal),
      createdAt: now,
      modifiedAt: now,
      tags: { ...(body.tags ?? {}) },
      ...(body.clientRequestToken ? { clientRequestToken: body.clientRequestToken } : {}),
      policies: {},
    };
    entries[entry.principalArn] = entry;
    return entry;
  });
  return { accessEntry: entryOut(cluster, result) };
};
