import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { EksContext } from "./repo.ts";

// Identifiers EKS mints. The simulated network ids derive from the cluster id, so describe-cluster is stable
// across calls and restarts without storing more than the id.

/** 32 uppercase hex chars, the shape EKS uses in the endpoint host and the OIDC issuer path. */
export function newClusterId(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

export function newUuid(): string {
  return randomUUID();
}

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

export function clusterArn(ctx: EksContext, name: string): string {
  return `arn:${partitionOf(ctx.region)}:eks:${ctx.region}:${ctx.account}:cluster/${name}`;
}

export function addonArn(ctx: EksContext, cluster: string, addon: string, uuid: string): string {
  return `arn:${partitionOf(ctx.region)}:eks:${ctx.region}:${ctx.account}:addon/${cluster}/${addon}/${uuid}`;
}

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** The zones a simulated cluster spreads its subnets over (the first three of the region). */
export function zonesOf(region: string): string[] {
  return ["a", "b", "c"].map((z) => `${region}${z}`);
}

export function simulatedVpcId(clusterId: string): string {
  return `vpc-${hex(`vpc:${clusterId}`, 17)}`;
}

export function simulatedSubnetIds(clusterId: string, region: string): string[] {
  return zonesOf(region).map((zone) => `subnet-${hex(`subnet:${clusterId}:${zone}`, 17)}`);
}

export function simulatedClusterSecurityGroupId(clusterId: string): string {
  return `sg-${hex(`sg:${clusterId}`, 17)}`;
}

/** A unique local /108 for IPv6 services, as EKS assigns when ipFamily is ipv6. */
export function simulatedServiceIpv6Cidr(clusterId: string): string {
  const h = hex(`v6:${clusterId}`, 10);
  return `fd${h.slice(0, 2)}:${h.slice(2, 6)}:${h.slice(6, 10)}::/108`;
}

/** The region of an EKS ARN (`arn:aws:eks:<region>:…`); undefined for anything else. */
export function regionOfArn(arn: string | undefined): string | undefined {
  const parts = arn?.split(":");
  return parts && parts.length > 4 && parts[2] === "eks" && parts[3] ? parts[3] : undefined;
}
