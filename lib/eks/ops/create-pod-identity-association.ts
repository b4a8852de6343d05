import { z } from "zod";
import { EksError, eksErrors } from "../errors.ts";
import { newUuid } from "../ids.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";
import {
  associationArn,
  associationOut,
  checkPolicy,
  checkRoleArn,
  checkSubject,
  checkTargetRoleArn,
  MAX_ASSOCIATIONS,
  newAssociationId,
} from "../pod-identity.ts";
import type { PodIdentityAssociationDoc } from "../repo.ts";
import { checkTags, TagsRequest } from "../schemas.ts";
import { parseWith } from "../validate.ts";

// CreatePodIdentityAssociation (POST /clusters/{name}/pod-identity-associations). One association per
// service account; it works in every authentication mode.

const Body = z.object({
  namespace: z.string().min(1),
  serviceAccount: z.string().min(1),
  roleArn: z.string().min(1),
  clientRequestToken: z.string().min(1).optional(),
  tags: TagsRequest.optional(),
  disableSessionTags: z.boolean().optional(),
  targetRoleArn: z.string().min(1).optional(),
  policy: z.string().min(1).optional(),
});

export const createPodIdentityAssociation: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const invalid = (m: string) => eksErrors.invalidParameter(m, { clusterName: cluster });
  const body = parseWith(Body, req.body, invalid);
  checkSubject(cluster, body.namespace, body.serviceAccount);
  checkRoleArn(ctx, cluster, body.roleArn);
  if (body.targetRoleArn) checkTargetRoleArn(cluster, body.targetRoleArn);
  if (body.policy) checkPolicy(cluster, body.policy);
  checkTags(body.tags ?? {}, invalid);
  const { result } = await mutateCluster(ctx, cluster, (doc) => {
    const all = (doc.podIdentityAssociations ??= {});
    const prior = Object.values(all).find(
      (a) => a.namespace === body.namespace && a.serviceAccount === body.serviceAccount,
    );
    if (prior) {
      if (body.clientRequestToken && prior.clientRequestToken === body.clientRequestToken) return prior;
      throw eksErrors.inUse(`Association already exists: ${prior.associationId}`, { clusterName: cluster });
    }
    if (Object.keys(all).length >= MAX_ASSOCIATIONS)
      throw new EksError(
        "ResourceLimitExceededException",
        `A cluster can have at most ${MAX_ASSOCIATIONS} Pod Identity associations.`,
        { clusterName: cluster },
      );
    const now = nowMs(ctx);
    let id = newAssociationId();
    while (all[id]) id = newAssociationId();
    const a: PodIdentityAssociationDoc = {
      associationId: id,
      arn: associationArn(ctx, cluster, id),
      namespace: body.namespace,
      serviceAccount: body.serviceAccount,
      roleArn: body.roleArn,
      // The external id guards the role chain into the target role, so it exists only with one.
      ...(body.targetRoleArn ? { targetRoleArn: body.targetRoleArn, externalId: newUuid() } : {}),
      disableSessionTags: body.disableSessionTags ?? false,
      ...(body.policy ? { policy: body.policy } : {}),
      createdAt: now,
      modifiedAt: now,
      tags: { ...(body.tags ?? {}) },
      ...(body.clientRequestToken ? { clientRequestToken: body.clientRequestToken } : {}),
    };
    all[id] = a;
    return a;
  });
  return { association: associationOut(cluster, result) };
};
