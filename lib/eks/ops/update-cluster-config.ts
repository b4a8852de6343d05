import { z } from "zod";
import { bootstrapCreatorEntry } from "../access-entries.ts";
import { type EksError, eksErrors } from "../errors.ts";
import { nowMs, type Op } from "../op.ts";
import type { AuthenticationMode, ClusterDoc, EksContext } from "../repo.ts";
import { applyLogging, LoggingRequest, VpcConfigRequest } from "../schemas.ts";
import { updateOut } from "../shapes.ts";
import { runUpdate, type UpdateSpec } from "../updates.ts";
import { parseWith } from "../validate.ts";
import { checkPublicAccessCidrs } from "./endpoint-access.ts";

// UpdateClusterConfig (POST /clusters/{name}/update-config). EKS takes one kind of change per call:
// logging, endpoint access, subnets/security groups, authentication mode or upgrade policy. Each becomes
// an Update of its own type.

const Body = z.object({
  resourcesVpcConfig: VpcConfigRequest.optional(),
  logging: LoggingRequest.optional(),
  clientRequestToken: z.string().min(1).optional(),
  accessConfig: z
    .object({ authenticationMode: z.enum(["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"]).optional() })
    .optional(),
  upgradePolicy: z.object({ supportType: z.enum(["STANDARD", "EXTENDED"]) }).optional(),
});
type Body = z.infer<typeof Body>;

/** Access entries can be turned on, and the ConfigMap then turned off, but never the other way round. */
const NEXT_MODE: Partial<Record<AuthenticationMode, AuthenticationMode>> = {
  CONFIG_MAP: "API_AND_CONFIG_MAP",
  API_AND_CONFIG_MAP: "API",
};

type Change = Omit<UpdateSpec, "clientRequestToken">;

function changes(ctx: EksContext, body: Body, name: string): Change[] {
  const invalid = (m: string) => eksErrors.invalidParameter(m, { clusterName: name });
  const out: Change[] = [];
  const logging = body.logging;
  if (logging?.clusterLogging)
    out.push({
      type: "LoggingUpdate",
      check: (doc) => {
        const next = applyLogging(doc.logging, logging);
        if (JSON.stringify(next) === JSON.stringify(doc.logging))
          throw invalid("No changes needed for the logging config provided");
        return [{ type: "ClusterLogging", value: JSON.stringify(next) }];
      },
      apply: (doc) => {
        doc.logging = applyLogging(doc.logging, logging);
      },
    });
  const vpc = body.resourcesVpcConfig;
  if (
    vpc &&
    (vpc.endpointPublicAccess !== undefined ||
      vpc.endpointPrivateAccess !== undefined ||
      vpc.publicAccessCidrs !== undefined)
  )
    out.push(endpointChange(vpc, invalid));
  if (vpc && (vpc.subnetIds !== undefined || vpc.securityGroupIds !== undefined))
    out.push(vpcChange(vpc, invalid));
  const mode = body.accessConfig?.authenticationMode;
  if (mode)
    out.push({
      type: "AccessConfigUpdate",
      check: (doc) => {
        if (NEXT_MODE[doc.accessConfig.authenticationMode] !== mode)
          throw invalid(
            `Unsupported authentication mode update from ${doc.accessConfig.authenticationMode} to ${mode}`,
          );
        return [{ type: "AuthenticationMode", value: mode }];
      },
      apply: (doc) => {
        doc.accessConfig.authenticationMode = mode;
        // Turning access entries on makes the creator's implicit ConfigMap-era admin an entry of its own,
        // as EKS does, so the creator keeps access once the ConfigMap is turned off.
        bootstrapCreatorEntry(ctx, doc, nowMs(ctx));
      },
    });
  const support = body.upgradePolicy?.supportType;
  if (support)
    out.push({
      type: "UpgradePolicyUpdate",
      check: (doc) => {
        if (doc.upgradePolicy.supportType === support)
          throw invalid(
            `Cluster is already at the desired configuration with upgradePolicy supportType: ${support}`,
          );
        return [{ type: "UpgradePolicy", value: JSON.stringify({ supportType: support }) }];
      },
      apply: (doc) => {
        doc.upgradePolicy.supportType = support;
      },
    });
  return out;
}

function endpointChange(vpc: z.infer<typeof VpcConfigRequest>, invalid: (m: string) => EksError): Change {
  const target = (doc: ClusterDoc) => ({
    pub: vpc.endpointPublicAccess ?? doc.resourcesVpcConfig.endpointPublicAccess,
    priv: vpc.endpointPrivateAccess ?? doc.resourcesVpcConfig.endpointPrivateAccess,
    cidrs: vpc.publicAccessCidrs?.length ? vpc.publicAccessCidrs : doc.resourcesVpcConfig.publicAccessCidrs,
  });
  return {
    type: "EndpointAccessUpdate",
    check: (doc) => {
      checkPublicAccessCidrs(vpc.publicAccessCidrs, invalid);
      const t = target(doc);
      if (!t.pub && !t.priv)
        throw invalid("Cluster must have either public or private endpoint access enabled");
      const cur = doc.resourcesVpcConfig;
      if (
        t.pub === cur.endpointPublicAccess &&
        t.priv === cur.endpointPrivateAccess &&
        same(t.cidrs, cur.publicAccessCidrs)
      )
        throw invalid(
          `Cluster is already at the desired configuration with endpointPrivateAccess: ${t.priv} , endpointPublicAccess: ${t.pub}, and Public Endpoint Restrictions: [${t.cidrs.join(", ")}]`,
        );
      return [
        { type: "EndpointPublicAccess", value: String(t.pub) },
        { type: "EndpointPrivateAccess", value: String(t.priv) },
        { type: "PublicAccessCidrs", value: JSON.stringify(t.cidrs) },
      ];
    },
    apply: (doc) => {
      const t = target(doc);
      doc.resourcesVpcConfig.endpointPublicAccess = t.pub;
      doc.resourcesVpcConfig.endpointPrivateAccess = t.priv;
      doc.resourcesVpcConfig.publicAccessCidrs = [...t.cidrs];
    },
  };
}

function vpcChange(vpc: z.infer<typeof VpcConfigRequest>, invalid: (m: string) => EksError): Change {
  return {
    type: "VpcConfigUpdate",
    check: (doc) => {
      if (vpc.subnetIds && vpc.subnetIds.length < 2)
        throw invalid("Subnets specified must be in at least two different AZs");
      const cur = doc.resourcesVpcConfig;
      if (
        same(vpc.subnetIds ?? cur.subnetIds, cur.subnetIds) &&
        same(vpc.securityGroupIds ?? cur.securityGroupIds, cur.securityGroupIds)
      )
        throw invalid(
          "Cluster is already at the desired configuration with the subnets and security groups provided",
        );
      const params = [];
      if (vpc.subnetIds) params.push({ type: "Subnets", value: JSON.stringify(vpc.subnetIds) });
      if (vpc.securityGroupIds)
        params.push({ type: "SecurityGroups", value: JSON.stringify(vpc.securityGroupIds) });
      return params;
    },
    apply: (doc) => {
      if (vpc.subnetIds) doc.resourcesVpcConfig.subnetIds = [...vpc.subnetIds];
      if (vpc.securityGroupIds) doc.resourcesVpcConfig.securityGroupIds = [...vpc.securityGroupIds];
    },
  };
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

export const updateClusterConfig: Op = async (ctx, req) => {
  const name = req.params.name;
  const body = parseWith(Body, req.body, (m) => eksErrors.invalidParameter(m, { clusterName: name }));
  const found = changes(ctx, body, name);
  if (found.length === 0)
    throw eksErrors.invalidParameter("Invalid type for cluster update.", { clusterName: name });
  if (found.length > 1)
    throw eksErrors.invalidParameter("Only one type of update can be allowed.", { clusterName: name });
  const update = await runUpdate(ctx, name, { ...found[0], clientRequestToken: body.clientRequestToken });
  return { update: updateOut(update) };
};
