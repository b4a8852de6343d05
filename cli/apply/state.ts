import {
  type AccessEntry,
  type AssociatedAccessPolicy,
  type Cluster,
  DescribeAccessEntryCommand,
  DescribePodIdentityAssociationCommand,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ListPodIdentityAssociationsCommand,
  type PodIdentityAssociation,
} from "@aws-sdk/client-eks";
import type { CurrentState, IdentityMapping } from "../../lib/eksctl/plan.ts";
import { readAuthMap } from "../aws-auth.ts";
import { describeAddon, listAddons } from "../create/addons.ts";
import type { StepContext } from "../create/context.ts";
import { describeFargateProfile, listFargateProfiles } from "../create/fargate.ts";
import { describeNodegroup, listNodegroups } from "../create/nodegroups.ts";
import { listIamServiceAccounts } from "../create/service-accounts.ts";
import type { Kube } from "../kube.ts";

// What the cluster has now, read the way a user would: the EKS API's List/Describe calls and the aws-auth
// ConfigMap through the cluster's Kubernetes API. The plan (lib/eksctl/plan.ts) diffs the file against it.

const defined = <T>(x: T | undefined): x is T => x !== undefined;

async function paged<T>(
  fetchPage: (token?: string) => Promise<{ items?: T[]; nextToken?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    out.push(...(page.items ?? []));
    token = page.nextToken;
  } while (token);
  return out;
}

async function accessEntries(
  ctx: StepContext,
  cluster: Cluster,
): Promise<{ entry: AccessEntry; policies: AssociatedAccessPolicy[] }[]> {
  // EKS refuses the access-entry calls while the cluster authenticates through aws-auth only.
  if ((cluster.accessConfig?.authenticationMode ?? "CONFIG_MAP") === "CONFIG_MAP") return [];
  const eks = ctx.aws.eks;
  const arns = await paged(async (nextToken) => {
    const r = await eks.send(new ListAccessEntriesCommand({ clusterName: ctx.cluster, nextToken }));
    return { items: r.accessEntries, nextToken: r.nextToken };
  });
  return Promise.all(
    arns.map(async (principalArn) => {
      const [entry, policies] = await Promise.all([
        eks.send(new DescribeAccessEntryCommand({ clusterName: ctx.cluster, principalArn })),
        paged(async (nextToken) => {
          const r = await eks.send(
            new ListAssociatedAccessPoliciesCommand({ clusterName: ctx.cluster, principalArn, nextToken }),
          );
          return { items: r.associatedAccessPolicies, nextToken: r.nextToken };
        }),
      ]);
      return { entry: entry.accessEntry ?? { principalArn }, policies };
    }),
  );
}

async function podIdentities(ctx: StepContext): Promise<PodIdentityAssociation[]> {
  const eks = ctx.aws.eks;
  const summaries = await paged(async (nextToken) => {
    const r = await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: ctx.cluster, nextToken }));
    return { items: r.associations, nextToken: r.nextToken };
  });
  const full = await Promise.all(
    summaries.map(async (s) => {
      const r = await eks.send(
        new DescribePodIdentityAssociationCommand({
          clusterName: ctx.cluster,
          associationId: s.associationId,
        }),
      );
      return r.association;
    }),
  );
  return full.filter(defined);
}

async function identityMappings(kube: Kube): Promise<IdentityMapping[]> {
  const m = await readAuthMap(kube);
  return [
    ...m.mapRoles.map((r) => ({ arn: r.rolearn, username: r.username, groups: r.groups })),
    ...m.mapUsers.map((u) => ({ arn: u.userarn, username: u.username, groups: u.groups })),
    ...m.mapAccounts.map((account) => ({ account })),
  ];
}

export async function readState(ctx: StepContext, cluster: Cluster, kube: Kube): Promise<CurrentState> {
  const [nodegroups, fargateProfiles, addons, entries, pods, mappings, irsa] = await Promise.all([
    listNodegroups(ctx).then((ns) => Promise.all(ns.map((n) => describeNodegroup(ctx, n)))),
    listFargateProfiles(ctx).then((ns) => Promise.all(ns.map((n) => describeFargateProfile(ctx, n)))),
    listAddons(ctx).then((ns) => Promise.all(ns.map((n) => describeAddon(ctx, n)))),
    accessEntries(ctx, cluster),
    podIdentities(ctx),
    identityMappings(kube),
    listIamServiceAccounts(kube),
  ]);
  return {
    cluster,
    // Groups and profiles on their way out are gone as far as the file is concerned.
    nodegroups: nodegroups.filter(defined).filter((g) => g.status !== "DELETING"),
    fargateProfiles: fargateProfiles.filter(defined).filter((p) => p.status !== "DELETING"),
    addons: addons.filter(defined).filter((a) => a.status !== "DELETING"),
    accessEntries: entries,
    podIdentityAssociations: pods,
    iamIdentityMappings: mappings,
    iamServiceAccounts: irsa,
  };
}

/** The IAM principal an access entry names for the caller: an assumed-role session stands for its role. */
export function principalOfCaller(arn: string): string {
  const m = /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}
