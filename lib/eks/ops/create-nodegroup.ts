import { z } from "zod";
import { instanceType } from "../../capacity/catalog.ts";
import { log } from "../../log.ts";
import { EksError, eksErrors } from "../errors.ts";
import { newUuid } from "../ids.ts";
import { mutateCluster } from "../mutate.ts";
import {
  AMI_TYPES,
  DEFAULT_AMI_TYPE,
  DEFAULT_INSTANCE_TYPE,
  invalidNodegroup,
  isArmAmi,
  isWindowsAmi,
  launchNodes,
  MAX_LABELS,
  MAX_NODEGROUPS,
  MAX_TAINTS,
  nodegroupArn,
  nodegroupOut,
  releaseVersionOf,
} from "../nodegroups.ts";
import { nowMs, type Op } from "../op.ts";
import type { NodegroupDoc } from "../repo.ts";
import { checkTags, TagsRequest } from "../schemas.ts";
import { parseWith } from "../validate.ts";
import { checkScaling, parseVersion, ScalingConfig, Taint, UpdateConfig } from "./nodegroup-rules.ts";

// CreateNodegroup (POST /clusters/{name}/node-groups). The group is recorded CREATING, its desiredSize
// instances are launched from the capacity provider (spread over the subnets' zones) and registered as
// nodes, and it turns ACTIVE (CREATE_FAILED, with the reason in health.issues, if capacity or registration
// fails). The response is the CREATING snapshot, as EKS answers. Launch templates are not supported yet.

const Body = z.object({
  nodegroupName: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[0-9A-Za-z][A-Za-z0-9\-_]*$/),
  scalingConfig: ScalingConfig.optional(),
  diskSize: z.number().int().min(1).optional(),
  subnets: z.array(z.string().min(1)),
  instanceTypes: z.array(z.string().min(1)).optional(),
  amiType: z.enum(AMI_TYPES).optional(),
  remoteAccess: z
    .object({ ec2SshKey: z.string().optional(), sourceSecurityGroups: z.array(z.string()).optional() })
    .optional(),
  nodeRole: z.string().min(1),
  labels: z.record(z.string().min(1).max(63), z.string().min(1).max(63)).optional(),
  taints: z.array(Taint).optional(),
  tags: TagsRequest.optional(),
  clientRequestToken: z.string().min(1).optional(),
  launchTemplate: z.object({ name: z.string(), version: z.string(), id: z.string() }).partial().optional(),
  updateConfig: UpdateConfig.optional(),
  nodeRepairConfig: z.unknown().optional(),
  capacityType: z.enum(["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"]).optional(),
  version: z.string().min(1).optional(),
  releaseVersion: z.string().min(1).optional(),
  warmPoolConfig: z.unknown().optional(),
});

export const createNodegroup: Op = async (ctx, req) => {
  const cluster = req.params.name;
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, { clusterName: cluster }));
  const members = { clusterName: cluster, nodegroupName: body.nodegroupName };
  const invalid = (m: string) => invalidNodegroup(m, members);
  checkTags(body.tags ?? {}, (m) => eksErrors.invalidParameter(m, members));

  if (body.launchTemplate) throw invalid("Launch templates are not supported by Kumulus yet.");
  if (body.capacityType === "CAPACITY_BLOCK")
    throw invalid("Capacity type CAPACITY_BLOCK requires a launch template.");
  if (body.subnets.length === 0) throw invalid("Subnets are required.");

  const amiType = body.amiType ?? DEFAULT_AMI_TYPE;
  const instanceTypes = body.instanceTypes?.length ? body.instanceTypes : [DEFAULT_INSTANCE_TYPE];
  if (instanceTypes.length > 20) throw invalid("instanceTypes can't have more than 20 instance types.");
  for (const name of instanceTypes) {
    const t = instanceType(name);
    if (!t) throw invalid(`${name} is not a valid instance type.`);
    if ((t.arch === "arm64") !== isArmAmi(amiType))
      throw invalid(`[${name}] is not a valid instance type for requested amiType ${amiType}`);
  }

  const sc = body.scalingConfig ?? {};
  const minSize = sc.minSize ?? 1;
  const maxSize = sc.maxSize ?? Math.max(2, minSize);
  const desiredSize = sc.desiredSize ?? Math.min(maxSize, Math.max(minSize, 2));
  checkScaling({ minSize, maxSize, desiredSize }, invalid, members);

  const labels = body.labels ?? {};
  if (Object.keys(labels).length > MAX_LABELS)
    throw invalid(`Number of labels ${Object.keys(labels).length} exceeds the limit of ${MAX_LABELS}.`);
  const taints = body.taints ?? [];
  if (taints.length > MAX_TAINTS)
    throw invalid(`Number of taints ${taints.length} exceeds the limit of ${MAX_TAINTS}.`);
  const seen = new Set<string>();
  for (const t of taints) {
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) throw invalid(`Duplicate taint with key ${t.key} and effect ${t.effect}.`);
    seen.add(key);
  }
  if (body.diskSize !== undefined && body.diskSize < 1) throw invalid("diskSize must be at least 1.");

  const created = await mutateCluster(ctx, cluster, (doc): { ng: NodegroupDoc; fresh: boolean } => {
    doc.nodegroups ??= {};
    const prior = doc.nodegroups[body.nodegroupName];
    if (prior) {
      if (body.clientRequestToken && prior.clientRequestToken === body.clientRequestToken)
        return { ng: prior, fresh: false };
      throw eksErrors.inUse(
        `NodeGroup already exists with name ${body.nodegroupName} and cluster name ${cluster}`,
        members,
      );
    }
    if (doc.status !== "ACTIVE" && doc.status !== "UPDATING")
      throw eksErrors.invalidRequest(`Cluster ${cluster} is in ${doc.status} status`, members);
    if (Object.keys(doc.nodegroups).length >= MAX_NODEGROUPS)
      throw new EksError(
        "ResourceLimitExceededException",
        `Cluster ${cluster} already has the maximum of ${MAX_NODEGROUPS} managed node groups.`,
        members,
      );
    const version = parseVersion(body.version, doc.version, invalid);
    const now = nowMs(ctx);
    const uuid = newUuid();
    const ng: NodegroupDoc = {
      nodegroupName: body.nodegroupName,
      arn: nodegroupArn(ctx, cluster, body.nodegroupName, uuid),
      uuid,
      status: "CREATING",
      createdAt: now,
      modifiedAt: now,
      version,
      releaseVersion: body.releaseVersion ?? releaseVersionOf(version),
      capacityType: body.capacityType ?? "ON_DEMAND",
      scalingConfig: { minSize, maxSize, desiredSize },
      instanceTypes: [...instanceTypes],
      subnets: [...body.subnets],
      amiType,
      nodeRole: body.nodeRole,
      diskSize: body.diskSize ?? (isWindowsAmi(amiType) ? 50 : 20),
      labels: { ...labels },
      taints: taints.map((t) => ({
        key: t.key,
        ...(t.value !== undefined ? { value: t.value } : {}),
        effect: t.effect,
      })),
      tags: { ...(body.tags ?? {}) },
      updateConfig: body.updateConfig ? { ...body.updateConfig } : { maxUnavailable: 1 },
      ...(body.remoteAccess ? { remoteAccess: structuredClone(body.remoteAccess) } : {}),
      ...(body.clientRequestToken ? { clientRequestToken: body.clientRequestToken } : {}),
    };
    doc.nodegroups[ng.nodegroupName] = ng;
    return { ng, fresh: true };
  });
  const { ng, fresh } = created.result;
  if (fresh) {
    let outcome: Awaited<ReturnType<typeof launchNodes>>;
    try {
      outcome = await launchNodes(ctx, created.doc, ng);
    } catch (e) {
      log("error", "eks node group launch failed", {
        cluster,
        nodegroup: ng.nodegroupName,
        error: String(e),
      });
      outcome = {
        launched: [],
        issue: { code: "InternalFailure", message: String((e as Error).message ?? e), resourceIds: [] },
      };
    }
    try {
      await mutateCluster(ctx, cluster, (doc) => {
        const current = doc.nodegroups?.[ng.nodegroupName];
        if (!current || current.arn !== ng.arn || current.status !== "CREATING") return;
        current.status = outcome.issue ? "CREATE_FAILED" : "ACTIVE";
        if (outcome.issue) current.healthIssues = [outcome.issue];
        current.modifiedAt = nowMs(ctx);
      });
    } catch (e) {
      if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
    }
  }
  return { nodegroup: nodegroupOut(cluster, ng) };
};
