// The Kubernetes versions EKS offers, frozen as of 2026-12-02.
//
// Sources: the EKS release calendar in awsdocs/amazon-eks-user-guide `kubernetes-versions.adoc` (1.29–1.34),
// endoflife.date's amazon-eks data and a quote of the calendar row for 1.35 and 1.36, and the AWS What's New
// post of 2026-10-02 for 1.37 (its end dates follow the documented 14 + 12 months rule; not yet confirmed).
// The platform and patch versions are our best estimate, not EKS data.
//
// Support status is computed from the dates at CATALOG_DATE, not at the wall clock: a simulator whose
// versions expired with time would break its own clusters and tests. Move the date with the table.

export type VersionStatus = "STANDARD_SUPPORT" | "EXTENDED_SUPPORT" | "UNSUPPORTED";

export interface KubernetesVersion {
  version: string;
  /** Epoch ms, 00:00 UTC like the calendar. */
  releaseDate: number;
  endOfStandardSupport: number;
  endOfExtendedSupport: number;
  platformVersion: string;
  kubernetesPatchVersion: string;
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

/** The day the table was last checked; support status is judged as of this day. */
export const CATALOG_DATE = day("2026-12-02");

const v = (
  version: string,
  release: string,
  endStandard: string,
  endExtended: string,
  platformVersion: string,
  patch: string,
): KubernetesVersion => ({
  version,
  releaseDate: day(release),
  endOfStandardSupport: day(endStandard),
  endOfExtendedSupport: day(endExtended),
  platformVersion,
  kubernetesPatchVersion: patch,
});

/** Newest first, as describe-cluster-versions lists them. */
export const KUBERNETES_VERSIONS: readonly KubernetesVersion[] = [
  v("1.37", "2026-10-02", "2027-12-02", "2028-12-02", "eks.3", "1.37.1"),
  v("1.36", "2026-06-02", "2027-08-02", "2028-08-02", "eks.9", "1.36.4"),
  v("1.35", "2026-01-27", "2027-03-27", "2028-03-27", "eks.15", "1.35.7"),
  v("1.34", "2025-10-02", "2026-12-02", "2027-12-02", "eks.20", "1.34.10"),
  v("1.33", "2025-05-29", "2026-07-29", "2027-07-29", "eks.27", "1.33.13"),
  v("1.32", "2025-01-23", "2026-03-23", "2027-03-23", "eks.33", "1.32.14"),
  v("1.31", "2024-09-26", "2025-11-26", "2026-11-26", "eks.42", "1.31.14"),
  v("1.30", "2024-05-23", "2025-07-23", "2026-07-23", "eks.50", "1.30.14"),
  v("1.29", "2024-01-23", "2025-03-23", "2026-03-23", "eks.52", "1.29.15"),
];

/**
 * What CreateCluster uses without a version. EKS's API doc says "the default version available in Amazon
 * EKS"; the user guide's describe-cluster-versions example (Dec 2024) shows the newest version as default,
 * so we take the newest.
 */
export const DEFAULT_VERSION = "1.37";

export function findVersion(version: string): KubernetesVersion | undefined {
  return KUBERNETES_VERSIONS.find((k) => k.version === version);
}

export function versionStatus(k: KubernetesVersion, at = CATALOG_DATE): VersionStatus {
  if (at < k.endOfStandardSupport) return "STANDARD_SUPPORT";
  if (at < k.endOfExtendedSupport) return "EXTENDED_SUPPORT";
  return "UNSUPPORTED";
}

/** Whether new clusters (and version updates) may use this version. */
export function isSupported(version: string): boolean {
  const k = findVersion(version);
  return k !== undefined && versionStatus(k) !== "UNSUPPORTED";
}

/** "1.31" → "1.32"; undefined for a string that is not major.minor. */
export function nextMinor(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version);
  return m ? `${m[1]}.${Number(m[2]) + 1}` : undefined;
}

/** The platform version a cluster of this Kubernetes version gets (eks.1 for one not in the table). */
export function platformVersionFor(version: string): string {
  return findVersion(version)?.platformVersion ?? "eks.1";
}
