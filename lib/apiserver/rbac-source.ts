import type { KubeObject } from "../api/types.ts";
import { rbacAllows, rulesReview } from "../identity/rbac-authorizer.ts";
import type { Store } from "../store/store.ts";
import type { Authorizer, RulesResolver } from "./pipeline.ts";

// The RBAC objects of a cluster, as the authorizer reads them: one snapshot of the four kinds per cluster,
// kept briefly. Writes through any API server of this process drop the snapshot at once (so a Role applied
// by kubectl grants on the next request); other processes see it within SNAPSHOT_MS, as kube's own
// informer-fed authorizer lags a write by a moment.

const SNAPSHOT_MS = 2_000;
const GROUP = "rbac.authorization.k8s.io";
const PLURALS = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"] as const;

export interface RbacSnapshot {
  roles: KubeObject[];
  roleBindings: KubeObject[];
  clusterRoles: KubeObject[];
  clusterRoleBindings: KubeObject[];
}

const snapshots = new Map<string, { at: number; value: Promise<RbacSnapshot> }>();

/** Forget a cluster's snapshot: called after any write to an RBAC kind. */
export function invalidateRbac(cluster: string, group: string): void {
  if (group === GROUP) snapshots.delete(cluster);
}

export function rbacSnapshot(store: Store, cluster: string): Promise<RbacSnapshot> {
  const hit = snapshots.get(cluster);
  if (hit && Date.now() - hit.at < SNAPSHOT_MS) return hit.value;
  const value = Promise.all(PLURALS.map((plural) => store.listItems({ cluster, group: GROUP, plural }))).then(
    ([roles, roleBindings, clusterRoles, clusterRoleBindings]) => ({
      roles,
      roleBindings,
      clusterRoles,
      clusterRoleBindings,
    }),
  );
  snapshots.set(cluster, { at: Date.now(), value });
  // A failed read is not remembered.
  value.catch(() => {
    if (snapshots.get(cluster)?.value === value) snapshots.delete(cluster);
  });
  if (snapshots.size > 5_000) {
    const cutoff = Date.now() - SNAPSHOT_MS;
    for (const [k, v] of snapshots) if (v.at < cutoff) snapshots.delete(k);
  }
  return value;
}

/** The RBAC authorizer of the request pipeline, over this store. */
export function rbacAuthorizer(store: Store): Authorizer {
  return async (caller, attrs) => {
    const o = await rbacSnapshot(store, attrs.cluster);
    return rbacAllows(o, caller.user, attrs) ? { decision: "allow" } : { decision: "noOpinion" };
  };
}

export function rbacRules(store: Store): RulesResolver {
  return async (caller, cluster, namespace) =>
    rulesReview(await rbacSnapshot(store, cluster), caller.user, namespace);
}
