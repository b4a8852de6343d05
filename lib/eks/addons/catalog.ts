import { KUBERNETES_VERSIONS } from "../versions.ts";

// The EKS add-ons Kumulus can install, with the versions describe-addon-versions offers per cluster version.
// Version strings follow EKS's `vX.Y.Z-eksbuild.N` scheme; the exact builds are our estimate of the
// late-2026 catalog, not a copy of it. kube-proxy tracks the cluster's minor version as on EKS.

export type AddonName =
  | "vpc-cni"
  | "kube-proxy"
  | "coredns"
  | "metrics-server"
  | "eks-pod-identity-agent"
  | "aws-ebs-csi-driver";

export interface AddonVersionDef {
  addonVersion: string;
  /** The cluster versions it runs on. */
  clusterVersions: string[];
  /** The cluster versions for which it is the default. */
  defaultFor: string[];
}

export interface AddonDef {
  addonName: AddonName;
  type: string;
  publisher: string;
  owner: string;
  defaultNamespace: string;
  computeTypes: string[];
  requiresIamPermissions: boolean;
  /** Newest first. */
  versions: AddonVersionDef[];
}

const ALL = KUBERNETES_VERSIONS.map((k) => k.version);
const minorOf = (v: string) => Number(v.split(".")[1]);
/** Cluster versions from..to (inclusive minors) that the version table knows. */
const range = (from: string, to: string) =>
  ALL.filter((v) => minorOf(v) >= minorOf(from) && minorOf(v) <= minorOf(to));

const ver = (
  addonVersion: string,
  clusterVersions: string[],
  defaultFor: string[] = [],
): AddonVersionDef => ({
  addonVersion,
  clusterVersions,
  defaultFor,
});

function kubeProxyVersions(): AddonVersionDef[] {
  // One default build at the table's patch version and the .0 build of each minor.
  return KUBERNETES_VERSIONS.flatMap((k) => [
    ver(`v${k.kubernetesPatchVersion}-eksbuild.2`, [k.version], [k.version]),
    ver(`v${k.version}.0-eksbuild.2`, [k.version]),
  ]);
}

export const ADDONS: readonly AddonDef[] = [
  {
    addonName: "vpc-cni",
    type: "networking",
    publisher: "eks",
    owner: "aws",
    defaultNamespace: "kube-system",
    computeTypes: ["ec2"],
    requiresIamPermissions: true,
    versions: [
      ver("v1.21.1-eksbuild.2", range("1.30", "1.37"), range("1.34", "1.37")),
      ver("v1.20.4-eksbuild.2", range("1.29", "1.36"), range("1.31", "1.33")),
      ver("v1.19.6-eksbuild.1", range("1.29", "1.35"), ["1.29", "1.30"]),
      ver("v1.19.2-eksbuild.1", range("1.29", "1.34")),
    ],
  },
  {
    addonName: "kube-proxy",
    type: "networking",
    publisher: "eks",
    owner: "aws",
    defaultNamespace: "kube-system",
    computeTypes: ["ec2"],
    requiresIamPermissions: false,
    versions: kubeProxyVersions(),
  },
  {
    addonName: "coredns",
    type: "networking",
    publisher: "eks",
    owner: "aws",
    defaultNamespace: "kube-system",
    computeTypes: ["ec2", "fargate"],
    requiresIamPermissions: false,
    versions: [
      ver("v1.12.4-eksbuild.1", range("1.33", "1.37"), range("1.34", "1.37")),
      ver("v1.12.1-eksbuild.2", range("1.32", "1.35"), ["1.33"]),
      ver("v1.11.4-eksbuild.2", range("1.29", "1.33"), ["1.32"]),
      ver("v1.11.3-eksbuild.1", range("1.29", "1.31"), range("1.29", "1.31")),
    ],
  },
  {
    addonName: "metrics-server",
    type: "observability",
    publisher: "eks",
    owner: "aws",
    defaultNamespace: "kube-system",
    computeTypes: ["ec2", "fargate"],
    requiresIamPermissions: false,
    versions: [
      ver("v0.8.0-eksbuild.2", range("1.29", "1.37"), ALL),
      ver("v0.7.2-eksbuild.3", range("1.29", "1.35")),
    ],
  },
  {
    addonName: "eks-pod-identity-agent",
    type: "security",
    publisher: "eks",
    owner: "aws",
    defaultNamespace: "kube-system",
    computeTypes: ["ec2"],
    requiresIamPermissions: false,
    versions: [
      ver("v1.3.8-eksbuild.2", range("1.29", "1.37"), ALL),
      ver("v1.3.4-eksbuild.1", range("1.29", "1.35")),
    ],
  },
  {
    addonName: "aws-ebs-csi-driver",
    type: "storage",
    publisher: "eks",
    owner: "aws",
    defaultNamespace: "kube-system",
    computeTypes: ["ec2"],
    requiresIamPermissions: true,
    versions: [
      ver("v1.52.1-eksbuild.1", range("1.30", "1.37"), range("1.30", "1.37")),
      ver("v1.45.0-eksbuild.2", range("1.29", "1.35"), ["1.29"]),
      ver("v1.38.1-eksbuild.1", range("1.29", "1.33")),
    ],
  },
];

/** What `bootstrapSelfManagedAddons` installs (as self-managed: objects, no add-on record). */
export const SELF_MANAGED_DEFAULTS: readonly AddonName[] = ["vpc-cni", "kube-proxy", "coredns"];

export function findAddon(name: string): AddonDef | undefined {
  return ADDONS.find((a) => a.addonName === name);
}

export function compatibleVersions(name: string, clusterVersion: string): AddonVersionDef[] {
  return findAddon(name)?.versions.filter((v) => v.clusterVersions.includes(clusterVersion)) ?? [];
}

export function defaultAddonVersion(name: string, clusterVersion: string): string | undefined {
  const versions = compatibleVersions(name, clusterVersion);
  return (versions.find((v) => v.defaultFor.includes(clusterVersion)) ?? versions[0])?.addonVersion;
}

export function isCompatible(name: string, addonVersion: string, clusterVersion: string): boolean {
  return compatibleVersions(name, clusterVersion).some((v) => v.addonVersion === addonVersion);
}

/** One AddonInfo of describe-addon-versions, its compatibilities limited to `clusterVersion` when given. */
export function addonInfo(def: AddonDef, clusterVersion?: string): Record<string, unknown> {
  const versions = clusterVersion
    ? def.versions.filter((v) => v.clusterVersions.includes(clusterVersion))
    : def.versions;
  return {
    addonName: def.addonName,
    type: def.type,
    addonVersions: versions.map((v) => ({
      addonVersion: v.addonVersion,
      architecture: ["amd64", "arm64"],
      computeTypes: def.computeTypes,
      compatibilities: v.clusterVersions
        .filter((cv) => !clusterVersion || cv === clusterVersion)
        .map((cv) => ({
          clusterVersion: cv,
          platformVersions: ["*"],
          defaultVersion: v.defaultFor.includes(cv),
        })),
      requiresConfiguration: false,
      requiresIamPermissions: def.requiresIamPermissions,
    })),
    publisher: def.publisher,
    owner: def.owner,
    defaultNamespace: def.defaultNamespace,
  };
}
