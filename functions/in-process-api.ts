import { createApp } from "../lib/apiserver/app.ts";
import { type Authorizer, AuthPipeline, INTERNAL_USER, storeReader } from "../lib/apiserver/pipeline.ts";
import { invalidateRbac, type RbacSnapshot, rbacRules, rbacSnapshot } from "../lib/apiserver/rbac-source.ts";
import { connectApi } from "../lib/client/runtime.ts";
import { rbacAllows } from "../lib/identity/rbac-authorizer.ts";
import { defaultStore } from "../lib/runtime/store.ts";
import type { Store } from "../lib/store/store.ts";
import { clusterIssuers } from "./cluster-identity.ts";

/**
 * RBAC for the control loops, over the same per-cluster snapshots as the edge's. While a snapshot is being
 * re-read (every 2 s, some 40-130 ms under load), the one it replaces answers, so no reconcile waits on it:
 * the loops' roles are bootstrap roles, which do not change under them.
 */
function loopRbac(store: Store): Authorizer {
  const last = new Map<string, RbacSnapshot>();
  return async (caller, attrs) => {
    const fresh = rbacSnapshot(store, attrs.cluster);
    fresh.then(
      (s) => {
        if (last.size > 5_000) last.clear();
        last.set(attrs.cluster, s);
      },
      () => {},
    );
    // A settled snapshot wins the race (its reaction is queued first); a pending one loses to the stale one.
    const o =
      (await Promise.race([fresh, Promise.resolve(undefined)])) ?? last.get(attrs.cluster) ?? (await fresh);
    return rbacAllows(o, caller.user, attrs) ? { decision: "allow" } : { decision: "noOpinion" };
  };
}

/**
 * Gives this process's control loops an in-process API server (one per process, made on first use). Each
 * request carries its loop's identity out of band; the Node authorizer and RBAC decide what it may do.
 */
export function connectInProcessApi(): void {
  connectApi(() => {
    const env = process.env;
    const store = defaultStore();
    const app = createApp({
      store,
      auth: new AuthPipeline([], [loopRbac(store)], rbacRules(store), storeReader(store)),
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      serviceAccounts: clusterIssuers(),
      onWrite: (cluster, group) => invalidateRbac(cluster, group),
    });
    return (url, init, as) => app.request(url, init, { [INTERNAL_USER]: as });
  });
}
