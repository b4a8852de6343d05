import { z } from "zod";
import { instanceType } from "../../capacity/catalog.ts";
import { log } from "../../log.ts";
import { bootstrapCreatorEntry } from "../access-entries.ts";
import { defaultAddonVersion, SELF_MANAGED_DEFAULTS } from "../addons/catalog.ts";
import { addonObjects } from "../addons/manifests/index.ts";
import { isNetworkAddress, parseCidr4 } from "../addons/manifests/ip.ts";
import { addonParamsFor } from "../addons/params.ts";
import { issuerArnOf } from "../caller.ts";
import { createDefaultNodegroup } from "../default-nodegroup.ts";
import { EksError, eksErrors } from "../errors.ts";
import {
  clusterArn,
  newClusterId,
  simulatedClusterSecurityGroupId,
  simulatedServiceIpv6Cidr,
  simulatedSubnetIds,
  simulatedVpcId,
} from "../ids.ts";
import { mutateCluster } from "../mutate.ts";
import { nowMs, type Op } from "../op.ts";
import type { ClusterDoc, EksContext } from "../repo.ts";
import {
  applyLogging,
  checkTags,
  DEFAULT_LOGGING,
  LoggingRequest,
  TagsRequest,
  VpcConfigRequest,
} from "../schemas.ts";
import { clusterOut } from "../shapes.ts";
import { parseWith } from "../validate.ts";
import { DEFAULT_VERSION, isSupported, platformVersionFor } from "../versions.ts";
import { checkPublicAccessCidrs } from "./endpoint-access.ts";

// CreateCluster (POST /clusters). Validation runs before anything is written; then the document is stored
// as CREATING, the Kubernetes side is bootstrapped inline and the cluster turns ACTIVE (or FAILED). The
// response is the CREATING snapshot, as EKS answers before the control plane exists. The caller is recorded
// as the creator; in the API modes it also gets a cluster-admin access entry (eks-auth.md §5).

const Body = z.object({
  name: z.string().min(1).max(100),
  version: z.string().optional(),
  roleArn: z.string().min(1),
  resourcesVpcConfig: VpcConfigRequest,
  kubernetesNetworkConfig: z
    .object({
      serviceIpv4Cidr: z.string().optional(),
      ipFamily: z.enum(["ipv4", "ipv6"]).optional(),
      elasticLoadBalancing: z.object({ enabled: z.boolean().optional() }).optional(),
    })
    .optional(),
  logging: LoggingRequest.optional(),
  clientRequestToken: z.string().min(1).optional(),
  tags: TagsRequest.optional(),
  accessConfig: z
    .object({
      bootstrapClusterCreatorAdminPermissions: z.boolean().optional(),
      authenticationMode: z.enum(["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"]).optional(),
    })
    .optional(),
  bootstrapSelfManagedAddons: z.boolean().optional(),
  upgradePolicy: z.object({ supportType: z.enum(["STANDARD", "EXTENDED"]).optional() }).optional(),
  /**
   * Kumulus extension: the cluster starts with a managed node group `ng-default` of this many nodes, as
   * `eksctl create cluster --nodes N` makes one (defaultNodegroup.ts).
   */
  nodes: z.number().int().min(0).max(100).optional(),
  /** Kumulus extension: the instance type of `ng-default` (m5.large, eksctl's default). */
  nodeType: z.string().min(1).optional(),
});
type Body = z.infer<typeof Body>;

const NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const DEFAULT_SERVICE_CIDR = "10.100.0.0/16";
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => parseCidr4(c)!);

/** EKS's rule for a custom service CIDR: a /12../24 inside one of the RFC 1918 blocks. */
export function validServiceCidr(cidr: string): boolean {
  const c = parseCidr4(cidr);
  if (!c || c.prefix < 12 || c.prefix > 24 || !isNetworkAddress(cidr)) return false;
  return PRIVATE_RANGES.some(
    (r) => c.prefix >= r.prefix && c.network - (c.network % 2 ** (32 - r.prefix)) === r.network,
  );
}

function validate(body: Body): void {
  const invalid = (message: string) => eksErrors.invalidParameter(message, { clusterName: body.name });
  if (!NAME.test(body.name))
    throw invalid(
      'The parameter name contains invalid characters. It should conform to the regular expression "^[0-9A-Za-z][A-Za-z0-9-_]*"In other words, it should start with a number or letter, and can contain numbers, letters, dashes, and underscores.',
    );
  if (body.version !== undefined && !isSupported(body.version))
    throw invalid(`unsupported Kubernetes version ${body.version}`);
  if (body.nodeType !== undefined && !instanceType(body.nodeType))
    throw invalid(`${body.nodeType} is not a valid instance type.`);
  const subnets = body.resourcesVpcConfig.subnetIds ?? [];
  if (subnets.length === 1) throw invalid("Subnets specified must be in at least two different AZs");
  checkPublicAccessCidrs(body.resourcesVpcConfig.publicAccessCidrs, invalid);
  if (
    body.resourcesVpcConfig.endpointPublicAccess === false &&
    body.resourcesVpcConfig.endpointPrivateAccess === false
  )
    throw invalid("Cluster must have either public or private endpoint access enabled");
  const cidr = body.kubernetesNetworkConfig?.serviceIpv4Cidr;
  if (cidr !== undefined && !validServiceCidr(cidr))
    throw invalid(
      `The serviceIpv4Cidr ${cidr} is invalid: it must be within 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 and have a prefix length between /12 and /24`,
    );
  const access = body.accessConfig;
  if (
    (access?.authenticationMode ?? "CONFIG_MAP") === "CONFIG_MAP" &&
    access?.bootstrapClusterCreatorAdminPermissions === false
  )
    throw invalid(
      "bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP",
    );
  checkTags(body.tags ?? {}, invalid);
}

function buildDoc(ctx: EksContext, body: Body): ClusterDoc {
  const id = newClusterId();
  const version = body.version ?? DEFAULT_VERSION;
  const vpc = body.resourcesVpcConfig;
  const net = body.kubernetesNetworkConfig;
  const ipFamily = net?.ipFamily ?? "ipv4";
  return {
    name: body.name,
    arn: clusterArn(ctx, body.name),
    id,
    createdAt: nowMs(ctx),
    version,
    platformVersion: platformVersionFor(version),
    status: "CREATING",
    roleArn: body.roleArn,
    resourcesVpcConfig: {
      subnetIds: vpc.subnetIds?.length ? [...vpc.subnetIds] : simulatedSubnetIds(id, ctx.region),
      securityGroupIds: [...(vpc.securityGroupIds ?? [])],
      clusterSecurityGroupId: simulatedClusterSecurityGroupId(id),
      vpcId: simulatedVpcId(id),
      endpointPublicAccess: vpc.endpointPublicAccess ?? true,
      endpointPrivateAccess: vpc.endpointPrivateAccess ?? false,
      publicAccessCidrs: vpc.publicAccessCidrs?.length ? [...vpc.publicAccessCidrs] : ["0.0.0.0/0"],
    },
    kubernetesNetworkConfig: {
      serviceIpv4Cidr: net?.serviceIpv4Cidr ?? DEFAULT_SERVICE_CIDR,
      ipFamily,
      elasticLoadBalancing: { enabled: net?.elasticLoadBalancing?.enabled ?? false },
      ...(ipFamily === "ipv6" ? { serviceIpv6Cidr: simulatedServiceIpv6Cidr(id) } : {}),
    },
    logging: body.logging ? applyLogging(DEFAULT_LOGGING, body.logging) : structuredClone(DEFAULT_LOGGING),
    // The API/SDK defaults (the console's differ): eks-api.md §3, CreateAccessConfigRequest.
    accessConfig: {
      bootstrapClusterCreatorAdminPermissions:
        body.accessConfig?.bootstrapClusterCreatorAdminPermissions ?? true,
      authenticationMode: body.accessConfig?.authenticationMode ?? "CONFIG_MAP",
    },
    // New clusters are enrolled in extended support unless told otherwise (EKS user guide, upgrade policy).
    upgradePolicy: { supportType: body.upgradePolicy?.supportType ?? "EXTENDED" },
    bootstrapSelfManagedAddons: body.bootstrapSelfManagedAddons ?? true,
    tags: { ...(body.tags ?? {}) },
    ...(body.clientRequestToken ? { clientRequestToken: body.clientRequestToken } : {}),
    updates: [],
    addons: {},
    nodes: body.nodes ?? 0,
    ...(body.nodeType ? { nodeType: body.nodeType } : {}),
  };
}

/** The answer to a create whose name is taken: the same cluster for a retry with its token, else 409. */
function existing(doc: ClusterDoc, token: string | undefined): ClusterDoc {
  if (token && doc.clientRequestToken === token) return doc;
  throw eksErrors.inUse(`Cluster already exists with name: ${doc.name}`, { clusterName: doc.name });
}

/** Brings up the Kubernetes side; the cluster ends ACTIVE, or FAILED with the reason in its health. */
async function provision(ctx: EksContext, doc: ClusterDoc): Promise<void> {
  try {
    await ctx.effects.bootstrap(doc);
    if (doc.bootstrapSelfManagedAddons)
      for (const name of SELF_MANAGED_DEFAULTS) {
        const version = defaultAddonVersion(name, doc.version);
        if (version)
          await ctx.effects.applyObjects(doc.name, addonObjects(name, addonParamsFor(ctx, doc, version)));
      }
  } catch (e) {
    log("error", "eks bootstrap failed", { cluster: doc.name, error: String(e) });
    await settle(ctx, doc.name, (d) => {
      d.status = "FAILED";
      d.healthIssues = [
        { code: "InternalFailure", message: `Cluster bootstrap failed: ${String(e)}`, resourceIds: [] },
      ];
    });
    return;
  }
  await settle(ctx, doc.name, (d) => {
    if (d.status === "CREATING") d.status = "ACTIVE";
  });
  if (doc.nodes) await createDefaultNodegroup(ctx, doc);
}

/** A state change after the response is decided: a cluster deleted meanwhile is not an error. */
async function settle(ctx: EksContext, name: string, change: (d: ClusterDoc) => void): Promise<void> {
  try {
    await mutateCluster(ctx, name, change);
  } catch (e) {
    if (!(e instanceof EksError && e.code === "ResourceNotFoundException")) throw e;
  }
}

export const createCluster: Op = async (ctx, req) => {
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m));
  validate(body);
  const prior = await ctx.repo.get(body.name);
  if (prior) return { cluster: clusterOut(ctx, existing(prior.doc, body.clientRequestToken)) };
  const doc = buildDoc(ctx, body);
  doc.creatorArn = issuerArnOf(req.caller);
  bootstrapCreatorEntry(ctx, doc, doc.createdAt);
  if (!(await ctx.repo.create(doc))) {
    // Lost a race to another create of the same name.
    const winner = await ctx.repo.get(body.name);
    if (winner) return { cluster: clusterOut(ctx, existing(winner.doc, body.clientRequestToken)) };
    throw eksErrors.inUse(`Cluster already exists with name: ${doc.name}`, { clusterName: doc.name });
  }
  await provision(ctx, doc);
  return { cluster: clusterOut(ctx, doc) };
};
