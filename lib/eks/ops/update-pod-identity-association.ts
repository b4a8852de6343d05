import { z } from "zod";
import { eksErrors } from "../errors.ts";
import { newUuid } from "../ids.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";
import {
  associationOf,
  associationOut,
  checkPolicy,
  checkRoleArn,
  checkTargetRoleArn,
} from "../pod-identity.ts";
import { parseWith } from "../validate.ts";

// UpdatePodIdentityAssociation (POST /clusters/{name}/pod-identity-associations/{associationId}). The
// service account is fixed; the roles, session tags and session policy can change. An empty targetRoleArn
// or policy removes it.

const Body = z.object({
  roleArn: z.string().min(1).optional(),
  clientRequestToken: z.string().min(1).optional(),
  disableSessionTags: z.boolean().optional(),
  targetRoleArn: z.string().optional(),
  policy: z.string().optional(),
});

export const updatePodIdentityAssociation: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, { clusterName: cluster }));
  if (body.roleArn) checkRoleArn(ctx, cluster, body.roleArn);
  if (body.targetRoleArn) checkTargetRoleArn(cluster, body.targetRoleArn);
  if (body.policy) checkPolicy(cluster, body.policy);
  const { result } = await mutateCluster(ctx, cluster, (doc) => {
    const a = associationOf(doc, req.params.associationId);
    if (body.roleArn) a.roleArn = body.roleArn;
    if (body.disableSessionTags !== undefined) a.disableSessionTags = body.disableSessionTags;
    if (body.targetRoleArn === "") {
      delete a.targetRoleArn;
      delete a.externalId;
    } else if (body.targetRoleArn) {
      a.targetRoleArn = body.targetRoleArn;
      a.externalId ??= newUuid();
    }
    if (body.policy === "") delete a.policy;
    else if (body.policy) a.policy = body.policy;
    a.modifiedAt = nowMs(ctx);
    return a;
  });
  return { association: associationOut(cluster, result) };
};
