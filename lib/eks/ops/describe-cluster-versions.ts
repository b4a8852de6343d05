import type { Op } from "../op.ts";
import { pageOf } from "../pagination.ts";
import { seconds } from "../shapes.ts";
import {
  DEFAULT_VERSION,
  KUBERNETES_VERSIONS,
  type KubernetesVersion,
  type VersionStatus,
  versionStatus,
} from "../versions.ts";
import { queryBool, queryEnum } from "./query-flags.ts";

// DescribeClusterVersions (GET /cluster-versions). Without includeAll only versions EKS still supports are
// listed; clusterVersions names specific ones. `status` is the deprecated filter (the model spells it
// standard-support…, the service's output STANDARD_SUPPORT…; both are accepted).

const VERSION_STATUSES = ["STANDARD_SUPPORT", "EXTENDED_SUPPORT", "UNSUPPORTED"] as const;
const LEGACY_STATUSES = ["standard-support", "extended-support", "unsupported", ...VERSION_STATUSES] as const;

function legacy(s: (typeof LEGACY_STATUSES)[number]): VersionStatus {
  return s.toUpperCase().replace("-", "_") as VersionStatus;
}

function info(k: KubernetesVersion): Record<string, unknown> {
  const status = versionStatus(k);
  return {
    clusterVersion: k.version,
    clusterType: "eks",
    defaultPlatformVersion: k.platformVersion,
    defaultVersion: k.version === DEFAULT_VERSION,
    releaseDate: seconds(k.releaseDate),
    endOfStandardSupportDate: seconds(k.endOfStandardSupport),
    endOfExtendedSupportDate: seconds(k.endOfExtendedSupport),
    status,
    versionStatus: status,
    kubernetesPatchVersion: k.kubernetesPatchVersion,
  };
}

export const describeClusterVersions: Op = async (_ctx, req) => {
  const type = req.query.clusterType?.[0];
  const defaultOnly = queryBool(req, "defaultOnly") ?? false;
  const includeAll = queryBool(req, "includeAll") ?? false;
  const wanted = req.query.clusterVersions;
  const byStatus = queryEnum(req, "versionStatus", VERSION_STATUSES);
  const legacyStatus = queryEnum(req, "status", LEGACY_STATUSES);
  const matches = KUBERNETES_VERSIONS.filter((k) => {
    const status = versionStatus(k);
    if (type !== undefined && type !== "eks") return false;
    if (wanted ? !wanted.includes(k.version) : !includeAll && status === "UNSUPPORTED") return false;
    if (defaultOnly && k.version !== DEFAULT_VERSION) return false;
    if (byStatus && status !== byStatus) return false;
    if (legacyStatus && status !== legacy(legacyStatus)) return false;
    return true;
  });
  const page = pageOf(matches, (k) => k.version, req, false);
  const clusterVersions = page.items.map(info);
  return page.nextToken ? { clusterVersions, nextToken: page.nextToken } : { clusterVersions };
};
