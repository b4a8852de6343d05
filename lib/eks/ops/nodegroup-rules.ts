import type { EksError } from "../errors.ts";

// Checks shared by the node-group operations.

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
