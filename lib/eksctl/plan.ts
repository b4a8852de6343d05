// `kumulus apply`: the plan that takes a running cluster to what its ClusterConfig file describes, computed
// from plain data (the file's requests and what the EKS API and aws-auth report). Steps are ordered so
// capacity comes before it goes: new node groups and changes first, Fargate profiles (one at a time, as EKS
// works on them), add-ons, access and identities, then removals, node groups last so their pods have
// somewhere to go.
import { planAccess } from "./plan-access.ts";
import { planAddons } from "./plan-addons.ts";
import { planCluster } from "./plan-cluster.ts";
import { planFargate } from "./plan-fargate.ts";
import { planIdentityMappings, planPodIdentity } from "./plan-identity.ts";
import { planNodegroups } from "./plan-nodegroups.ts";
import { planServiceAccounts } from "./plan-service-accounts.ts";
import type { CurrentState, DesiredState, Diff, Plan, PlanOptions } from "./plan-types.ts";

export type * from "./plan-types.ts";

export function planApply(want: DesiredState, have: CurrentState, opts: PlanOptions = {}): Plan {
  const cluster = have.cluster.name ?? want.createCluster.name ?? "";
  const ng = planNodegroups(cluster, want.nodegroups, have.nodegroups);
  const fp = planFargate(cluster, want.fargateProfiles, have.fargateProfiles);
  const addons = planAddons(cluster, want.addons, have.addons);
  const access = planAccess(cluster, want.accessEntries, have.accessEntries, opts.keepPrincipals);
  const maps = planIdentityMappings(cluster, want.iamIdentityMappings, have.iamIdentityMappings);
  const pods = planPodIdentity(cluster, want.podIdentityAssociations, have.podIdentityAssociations);
  // A file without iam.serviceAccounts leaves service accounts alone, as one without a section of the others
  // does not: IRSA accounts are often made by `create iamserviceaccount` beside the file.
  const irsa = planServiceAccounts(
    want.iamServiceAccounts ?? [],
    want.iamServiceAccounts?.length ? (have.iamServiceAccounts ?? []) : [],
  );
  const order: Diff[] = [
    planCluster(want.createCluster, have.cluster),
    ng.adds,
    ng.updates,
    fp.removes,
    fp.adds,
    addons.upserts,
    access.upserts,
    maps.upserts,
    pods.upserts,
    irsa.upserts,
    irsa.removes,
    pods.removes,
    maps.removes,
    access.removes,
    addons.removes,
    ng.removes,
  ];
  return {
    cluster,
    steps: order.flatMap((d) => d.steps),
    refusals: order.flatMap((d) => d.refusals),
  };
}

/** How many steps of each action a plan has, for its summary line. */
export function planCounts(plan: Plan): Record<"create" | "update" | "delete" | "replace", number> {
  const out = { create: 0, update: 0, delete: 0, replace: 0 };
  for (const s of plan.steps) out[s.action]++;
  return out;
}
