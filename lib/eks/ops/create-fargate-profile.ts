import { z } from "zod";
import { eksErrors } from "../errors.ts";
import {
  ACTIVATION_MS,
  FargateError,
  fargateProfileArn,
  MAX_PROFILES,
  MAX_SELECTOR_LABELS,
  MAX_SELECTORS,
  profileOut,
  profileStatus,
} from "../fargate.ts";
import { newUuid } from "../ids.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";
import type { FargateProfileDoc } from "../repo.ts";
import { checkTags, TagsRequest } from "../schemas.ts";
import { parseWith } from "../validate.ts";

// CreateFargateProfile (POST /clusters/{name}/fargate-profiles). Every rule is checked before the cluster
// document is touched, so a refused request leaves nothing behind. The profile is recorded CREATING and reads
// ACTIVE shortly after (fargate.ts). As in EKS, a cluster takes one profile change at a time: no profile can
// be created while another is still CREATING or DELETING.

const Body = z.object({
  fargateProfileName: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[0-9A-Za-z][A-Za-z0-9\-_]*$/),
  podExecutionRoleArn: z.string().min(1),
  subnets: z.array(z.string().min(1)).optional(),
  selectors: z
    .array(
      z.object({
        namespace: z.string().min(1).max(63),
        labels: z.record(z.string().min(1).max(63), z.string().max(63)).optional(),
      }),
    )
    .optional(),
  clientRequestToken: z.string().min(1).optional(),
  tags: TagsRequest.optional(),
});

export const createFargateProfile: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, { clusterName: cluster }));
  const name = body.fargateProfileName;
  const members = { clusterName: cluster };
  const invalid = (m: string) => new FargateError("InvalidParameterException", m, members, name);
  checkTags(body.tags ?? {}, invalid);
  if (name.startsWith("eks-")) throw invalid("Fargate Profile name can't start with the eks- prefix.");
  const selectors = body.selectors ?? [];
  if (selectors.length === 0) throw invalid("Fargate Profile must have at least one selector.");
  if (selectors.length > MAX_SELECTORS)
    throw invalid(`Fargate Profile can't have more than ${MAX_SELECTORS} selectors.`);
  for (const s of selectors) {
    const n = Object.keys(s.labels ?? {}).length;
    if (n > MAX_SELECTOR_LABELS)
      throw invalid(
        `Fargate Profile selector for namespace ${s.namespace} can't have more than ${MAX_SELECTOR_LABELS} labels.`,
      );
  }

  const created = await mutateCluster(ctx, cluster, (doc): { p: FargateProfileDoc; fresh: boolean } => {
    const now = nowMs(ctx);
    doc.fargateProfiles ??= {};
    const prior = doc.fargateProfiles[name];
    if (prior) {
      if (body.clientRequestToken && prior.clientRequestToken === body.clientRequestToken)
        return { p: prior, fresh: false };
      throw new FargateError(
        "ResourceInUseException",
        "A Fargate Profile already exists with this name in this cluster.",
        members,
        name,
      );
    }
    if (doc.status !== "ACTIVE" && doc.status !== "UPDATING")
      throw eksErrors.invalidRequest(`Cluster ${cluster} is in ${doc.status} status`, members);
    const busy = Object.values(doc.fargateProfiles).find((p) =>
      ["CREATING", "DELETING"].includes(profileStatus(p, now)),
    );
    if (busy)
      throw new FargateError(
        "ResourceInUseException",
        `Cannot create Fargate Profile ${name} because cluster ${cluster} currently has Fargate profile ${busy.fargateProfileName} in status ${profileStatus(busy, now)}`,
        members,
        name,
      );
    if (Object.keys(doc.fargateProfiles).length >= MAX_PROFILES)
      throw new FargateError(
        "ResourceLimitExceededException",
        `Cluster ${cluster} already has the maximum of ${MAX_PROFILES} Fargate profiles.`,
        members,
        name,
      );
    const uuid = newUuid();
    const p: FargateProfileDoc = {
      fargateProfileName: name,
      arn: fargateProfileArn(ctx, cluster, name, uuid),
      status: "CREATING",
      createdAt: now,
      activeAt: now + ACTIVATION_MS,
      podExecutionRoleArn: body.podExecutionRoleArn,
      // Without subnets EKS uses the cluster's (private) subnets.
      subnets: body.subnets?.length ? [...body.subnets] : [...doc.resourcesVpcConfig.subnetIds],
      selectors: selectors.map((s) => ({ namespace: s.namespace, labels: { ...(s.labels ?? {}) } })),
      tags: { ...(body.tags ?? {}) },
      ...(body.clientRequestToken ? { clientRequestToken: body.clientRequestToken } : {}),
    };
    doc.fargateProfiles[name] = p;
    return { p, fresh: true };
  });
  return { fargateProfile: profileOut(cluster, created.result.p, nowMs(ctx)) };
};
