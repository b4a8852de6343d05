import { fail } from "./errors.ts";

// Version resolution as eksctl's ClusterVersionsManager does it (eksctl-schema.md §1). eksctl takes the
// supported list from DescribeClusterVersions; callers pass theirs (the CLI asks the EKS API). The default
// is a copy of the versions Kumulus' EKS API supports (lib/eks/versions.ts): this room is pure and may not
// import lib/eks, and test/unit/eksctl-config.test.ts fails if the two lists drift.

export const SUPPORTED_VERSIONS: readonly string[] = ["1.32", "1.33", "1.34", "1.35", "1.36", "1.37"];

const parse = (v: string): [number, number] | undefined => {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};

export const compareVersions = (a: string, b: string): number => {
  const [am, an] = parse(a) ?? [0, 0];
  const [bm, bn] = parse(b) ?? [0, 0];
  return am !== bm ? am - bm : an - bn;
};

/** Every 1.x below the oldest supported version counts as retired ("no longer supported"). */
function isRetired(version: string, supported: readonly string[]): boolean {
  const v = parse(version);
  const oldest = parse(supported[0] ?? "");
  if (!v || !oldest) return false;
  return v[0] < oldest[0] || (v[0] === oldest[0] && v[1] < oldest[1]);
}

export interface VersionOptions {
  supportedVersions?: readonly string[];
  defaultVersion?: string;
  /**
   * Kumulus' documented departure from eksctl: a retired version is raised to the oldest supported one
   * (reported through `warn`) instead of failing. Off by default, so eksctl's message is what users see.
   */
  upgradeRetiredVersions?: boolean;
  warn?: (message: string) => void;
}

export function resolveVersion(version: string | undefined, opts: VersionOptions = {}): string {
  const supported = [...(opts.supportedVersions ?? SUPPORTED_VERSIONS)].sort(compareVersions);
  const list = supported.join(", ");
  if (version === undefined || version === "" || version === "auto") return opts.defaultVersion ?? "1.34";
  if (version === "latest") return supported.at(-1)!;
  if (supported.includes(version)) return version;
  if (isRetired(version, supported)) {
    if (opts.upgradeRetiredVersions) {
      const to = supported[0]!;
      opts.warn?.(
        `Kubernetes version ${version} is no longer supported; using ${to}, the oldest supported version`,
      );
      return to;
    }
    return fail(
      `resolving cluster version: invalid version, ${version} is no longer supported, supported values: ${list}\nsee also: https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html`,
    );
  }
  return fail(`resolving cluster version: invalid version, supported values: ${list}`);
}
