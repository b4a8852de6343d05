import { randomBytes, randomInt } from "node:crypto";
import { fail } from "./errors.ts";
import { completeClusterConfig, type LoadOptions } from "./load.ts";
import type { ClusterConfig, ClusterConfigFile, ManagedNodeGroup, NodeGroup } from "./schema.ts";

// The config `eksctl create cluster` builds from its flags (eksctl-cli.md), then defaulted and validated like
// a file. Sizes are set only for the flags given, as eksctl's pre-run does.

/** The `eksctl create cluster` flags that shape the config. */
export interface CreateClusterFlags {
  name?: string;
  region?: string;
  version?: string;
  nodes?: number;
  nodeType?: string;
  nodesMin?: number;
  nodesMax?: number;
  /** --managed (default true). Left unset, --fargate means no node group. */
  managed?: boolean;
  fargate?: boolean;
  withoutNodegroup?: boolean;
  nodegroupName?: string;
  zones?: string[];
  tags?: Record<string, string>;
  withOIDC?: boolean;
}

const ADJECTIVES = [
  "floral",
  "ridiculous",
  "hilarious",
  "beautiful",
  "fabulous",
  "scrumptious",
  "wonderful",
  "adorable",
  "exquisite",
  "unique",
  "extravagant",
  "attractive",
  "gorgeous",
  "dazzling",
  "charming",
];
const NOUNS = [
  "unicorn",
  "painting",
  "sculpture",
  "party",
  "mushroom",
  "wardrobe",
  "outfit",
  "gopher",
  "creature",
  "sheepdog",
  "mongoose",
  "rainbow",
  "monster",
  "badger",
  "hideout",
];

/** `<adjective>-<noun>-<unix seconds>`, like eksctl's generated names. */
export function generatedClusterName(now = Date.now()): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${Math.floor(now / 1000)}`;
}

export const generatedNodegroupName = (): string => `ng-${randomBytes(4).toString("hex")}`;

/** The config `eksctl create cluster` builds from flags, defaulted and validated; the name generated if missing. */
export function configFromFlags(
  flags: CreateClusterFlags,
  opts: Omit<LoadOptions, "file"> = {},
): ClusterConfig {
  const region = flags.region ?? opts.region;
  if (!region)
    fail("AWS Region must be set, please set the AWS Region in AWS config file or as environment variable");
  if (flags.nodes !== undefined && flags.nodes < 0) fail("number of nodes must be 0 or greater");
  const cfg: ClusterConfigFile = {
    apiVersion: "eksctl.io/v1alpha5",
    kind: "ClusterConfig",
    metadata: {
      name: flags.name ?? generatedClusterName(),
      region,
      ...(flags.version ? { version: flags.version } : {}),
      ...(flags.tags && Object.keys(flags.tags).length ? { tags: { ...flags.tags } } : {}),
    },
    ...(flags.zones?.length ? { availabilityZones: [...flags.zones] } : {}),
    ...(flags.withOIDC ? { iam: { withOIDC: true } } : {}),
  };
  if (flags.fargate)
    cfg.fargateProfiles = [
      { name: "fp-default", selectors: [{ namespace: "default" }, { namespace: "kube-system" }] },
    ];
  const wantsNodes = !flags.withoutNodegroup && !(flags.fargate && flags.managed === undefined);
  if (wantsNodes) {
    const ng: NodeGroup & ManagedNodeGroup = {
      name: flags.nodegroupName ?? generatedNodegroupName(),
      ...(flags.nodeType ? { instanceType: flags.nodeType } : {}),
      ...(flags.nodes !== undefined ? { desiredCapacity: flags.nodes } : {}),
      ...(flags.nodesMin !== undefined ? { minSize: flags.nodesMin } : {}),
      ...(flags.nodesMax !== undefined ? { maxSize: flags.nodesMax } : {}),
    };
    if (flags.managed === false) cfg.nodeGroups = [ng];
    else cfg.managedNodeGroups = [ng];
  }
  return completeClusterConfig(cfg, opts);
}
