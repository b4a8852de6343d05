import { hasSelector, selectInstanceTypes } from "./instance-selector.ts";
import { clusterNetwork } from "./network.ts";
import type { ClusterConfigFile, ManagedNodeGroup, NodeGroup } from "./schema.ts";

// What a ClusterConfig asks for that a simulation cannot honestly do. Everything else is either simulated
// or, when it only means something on real AWS (ids, ARNs, keys, AMIs, launch templates, Outpost ARNs,
// capabilities, Karpenter's Helm install), recorded and echoed back. See lib/eksctl/README.md.

export interface UnsupportedOptions {
  /** Whether an EC2 instance type exists (Kumulus' catalog); without it instance types are not checked. */
  instanceTypeExists?: (name: string) => boolean;
}

function instanceTypes(path: string, ng: NodeGroup | ManagedNodeGroup): [string, string[]][] {
  const out: [string, string[]][] = [];
  if (ng.instanceType && ng.instanceType !== "mixed") out.push([`${path}.instanceType`, [ng.instanceType]]);
  if ("instanceTypes" in ng && ng.instanceTypes?.length)
    out.push([`${path}.instanceTypes`, ng.instanceTypes]);
  if ("instancesDistribution" in ng && ng.instancesDistribution?.instanceTypes?.length)
    out.push([`${path}.instancesDistribution.instanceTypes`, ng.instancesDistribution.instanceTypes]);
  return out;
}

function nodegroupProblems(
  path: string,
  ng: NodeGroup | ManagedNodeGroup,
  opts: UnsupportedOptions,
): string[] {
  const out: string[] = [];
  if (hasSelector(ng) && selectInstanceTypes(ng).length === 0)
    out.push(
      `unsupported: ${path}.instanceSelector: no instance type in Kumulus' selector table matches these vCPUs, memory, GPUs and architecture`,
    );
  const exists = opts.instanceTypeExists;
  if (exists)
    for (const [field, types] of instanceTypes(path, ng))
      for (const t of types)
        if (!exists(t))
          out.push(
            `unsupported: ${field}: ${t} is not an instance type EC2 offers (not in Kumulus' catalog)`,
          );
  return out;
}

/** What the config asks for that cannot be simulated: [] or `unsupported: <field path>: <why>` lines. */
export function unsupportedFeatures(cfg: ClusterConfigFile, opts: UnsupportedOptions = {}): string[] {
  const out: string[] = [];
  if (cfg.gitops?.flux)
    out.push(
      "unsupported: gitops.flux: bootstrapping Flux needs the flux CLI and an account on a real Git provider (GitHub or GitLab), which a simulation cannot provide",
    );
  const net = clusterNetwork(cfg);
  if (net.subnetIds.length < 2 && !cfg.vpc?.controlPlaneSubnetIDs?.length)
    out.push(
      `unsupported: vpc.subnets: the cluster would have ${net.subnetIds.length} subnet; Kumulus clusters need subnets in at least two zones`,
    );
  for (const [i, ng] of (cfg.managedNodeGroups ?? []).entries())
    if (ng) out.push(...nodegroupProblems(`managedNodeGroups[${i}]`, ng, opts));
  for (const [i, ng] of (cfg.nodeGroups ?? []).entries())
    if (ng) out.push(...nodegroupProblems(`nodeGroups[${i}]`, ng, opts));
  return out;
}
