import { z } from "zod";
import { EksError, type EksErrorMembers } from "../errors.ts";
import { MAX_NODES, TAINT_EFFECTS } from "../nodegroups.ts";

// Checks shared by the node-group operations.

export const Taint = z.object({
  key: z.string().min(1).max(63),
  value: z.string().max(63).optional(),
  effect: z.enum(TAINT_EFFECTS),
});

export const ScalingConfig = z.object({
  minSize: z.number().int().min(0).optional(),
  maxSize: z.number().int().min(1).optional(),
  desiredSize: z.number().int().min(0).optional(),
});

export const UpdateConfig = z.object({
  maxUnavailable: z.number().int().min(1).optional(),
  maxUnavailablePercentage: z.number().int().min(1).max(100).optional(),
  updateStrategy: z.enum(["DEFAULT", "MINIMAL"]).optional(),
});

/** min ≤ desired ≤ max, and max within the per-group node quota, in EKS's words. */
export function checkScaling(
  s: { minSize: number; maxSize: number; desiredSize: number },
  invalid: (m: string) => EksError,
  members: EksErrorMembers,
): void {
  const { minSize, maxSize, desiredSize } = s;
  if (minSize > maxSize)
    throw invalid(`Minimum capacity ${minSize} can't be greater than maximum capacity ${maxSize}`);
  if (minSize > desiredSize)
    throw invalid(`Minimum capacity ${minSize} can't be greater than desired size ${desiredSize}`);
  if (desiredSize > maxSize)
    throw invalid(`Desired capacity ${desiredSize} can't be greater than max size ${maxSize}`);
  if (maxSize > MAX_NODES)
    throw new EksError(
      "ResourceLimitExceededException",
      `Maximum capacity ${maxSize} exceeds the limit of ${MAX_NODES} nodes per managed node group.`,
      members,
    );
}

/** A node group's Kubernetes version: the cluster's unless given; never newer than the cluster's. */
export function parseVersion(
  given: string | undefined,
  clusterVersion: string,
  invalid: (m: string) => EksError,
): string {
  if (given === undefined) return clusterVersion;
  const minor = (v: string) => {
    const m = /^1\.(\d+)$/.exec(v);
    return m ? Number(m[1]) : undefined;
  };
  const g = minor(given);
  const c = minor(clusterVersion);
  if (g === undefined) throw invalid(`Requested Kubernetes version ${given} is invalid.`);
  if (c !== undefined && g > c)
    throw invalid(
      `Requested Nodegroup version ${given} is newer than the cluster version ${clusterVersion}.`,
    );
  if (c !== undefined && c - g > 3)
    throw invalid(
      `Requested Nodegroup version ${given} is more than three minor versions older than the cluster version ${clusterVersion}.`,
    );
  return given;
}
