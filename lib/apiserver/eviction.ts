import {
  computeBudget,
  disruptionCondition,
  type Getter,
  isReady,
  phaseOf,
  selects,
} from "../api/disruption-budget.ts";
import { errors, StatusError } from "../api/status.ts";
import type { JsonObject, KubeObject } from "../api/types.ts";
import { log } from "../log.ts";
import { decodeBody, dropNulls, readBody } from "./body.ts";
import { objectKey, type ResourceContext, resourceOf } from "./context.ts";
import { commitUpdate } from "./handlers/commit.ts";
import { deleteObject } from "./handlers/delete.ts";
import { json } from "./handlers/write.ts";

// pods/{name}/eviction: a delete that respects PodDisruptionBudgets (what `kubectl drain` uses). The budget is
// recomputed from the current pods, then consumed by a compare-and-swap write of the budget's status, so two
// concurrent evictions cannot both spend the last allowed disruption.

const ATTEMPTS = 5;

interface Eviction {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  deleteOptions?: {
    gracePeriodSeconds?: number;
    propagationPolicy?: string;
    preconditions?: { uid?: string; resourceVersion?: string };
    dryRun?: string[];
  };
}

function readEviction(body: JsonObject, name: string): Eviction {
  const ev = dropNulls(body) as Eviction;
  if (ev.kind !== "Eviction" || (ev.apiVersion !== "policy/v1" && ev.apiVersion !== "policy/v1beta1")) {
    throw errors.badRequest(
      `the API version in the data (${String(ev.apiVersion)}) does not match the expected API version (policy/v1)`,
    );
  }
  if (ev.metadata?.name && ev.metadata.name !== name)
    throw errors.badRequest(`name in URL does not match name in Eviction object`);
  return ev;
}

/** kube: a pod that is not running (or already going) needs no budget. */
function canIgnoreBudget(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp) return true;
  const phase = phaseOf(pod);
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending";
}

function budgetViolation(message: string): StatusError {
  return new StatusError(
    429,
    "TooManyRequests",
    "Cannot evict pod as it would violate the pod's disruption budget.",
    {
      causes: [{ reason: "DisruptionBudget", message }],
    },
  );
}

/** The one budget covering the pod, unless the pod needs none (kube refuses pods under several budgets). */
async function budgetOf(ctx: ResourceContext, pod: KubeObject): Promise<KubeObject | undefined> {
  // An unready pod does not count towards any budget, so evicting it never lowers availability.
  // (Kube's IfHealthyBudget policy also checks the budget for unready pods; here they always go.)
  if (canIgnoreBudget(pod) || !isReady(pod)) return undefined;
  const items = await ctx.store.listItems(
    { cluster: ctx.cluster, group: "policy", plural: "poddisruptionbudgets" },
    { namespace: ctx.path.namespace },
  );
  const budgets = items.filter((b) => !b.metadata.deletionTimestamp && selects(b, pod));
  if (budgets.length > 1) {
    throw errors.internal(
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
  }
  return budgets[0];
}

/** Checks the budget allows one more disruption and records it; false when another writer got there first. */
async function spend(ctx: ResourceContext, pdb: KubeObject, pod: string, dryRun: boolean): Promise<boolean> {
  const get: Getter = (group, plural, namespace, name) =>
    ctx.store.get({ cluster: ctx.cluster, group, plural, namespace, name });
  const pods = await ctx.store.listItems(
    { cluster: ctx.cluster, group: "", plural: "pods" },
    { namespace: ctx.path.namespace },
  );
  const fresh = await computeBudget(pdb, pods, get);
  if (fresh.disruptionsAllowed <= 0) {
    throw budgetViolation(
      `The disruption budget ${pdb.metadata.name} needs ${fresh.desiredHealthy} healthy pods and has ${fresh.currentHealthy} currently`,
    );
  }
  if (dryRun) return true;
  const kind = await ctx.registry.find(ctx.cluster, "policy", "v1", "poddisruptionbudgets");
  if (!kind) throw errors.internal("the policy/v1 PodDisruptionBudget kind is not served");
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const allowed = fresh.disruptionsAllowed - 1;
  const prev = (pdb.status ?? {}) as { conditions?: never[] };
  const next = structuredClone(pdb);
  next.status = {
    ...fresh,
    disruptedPods: { ...(fresh.disruptedPods ?? {}), [pod]: now },
    disruptionsAllowed: allowed,
    observedGeneration: pdb.metadata.generation,
    conditions: disruptionCondition(allowed, pdb.metadata.generation, prev.conditions, now),
  };
  const pdbCtx: ResourceContext = {
    ...ctx,
    kind,
    path: {
      group: "policy",
      version: "v1",
      plural: "poddisruptionbudgets",
      namespace: ctx.path.namespace,
      name: pdb.metadata.name,
      subresource: "status",
    },
  };
  try {
    // Compare-and-swap on the budget's resourceVersion: of two concurrent evictions only one can spend it.
    await commitUpdate(pdbCtx, pdb, next);
    return true;
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) return false;
    throw e;
  }
}

export async function evict(ctx: ResourceContext, name: string): Promise<Response> {
  const ev = readEviction(
    decodeBody(await readBody(ctx.request), ctx.headers.get("content-type") ?? "application/json"),
    name,
  );
  const opts = ev.deleteOptions ?? {};
  const dryRun = ctx.query.getAll("dryRun").length > 0 || (opts.dryRun ?? []).length > 0;
  for (let attempt = 0; ; attempt++) {
    const pod = await ctx.store.get(objectKey(ctx, name));
    if (!pod) throw errors.notFound(resourceOf(ctx), name);
    const pdb = await budgetOf(ctx, pod);
    if (pdb && !(await spend(ctx, pdb, name, dryRun))) {
      // Another eviction (or the controller) wrote the budget first: recompute against its version.
      if (attempt < ATTEMPTS) continue;
      throw errors.tooManyRequests("too many concurrent evictions, please retry");
    }
    if (!dryRun) {
      try {
        await deleteObject(ctx, name, {
          gracePeriodSeconds: opts.gracePeriodSeconds,
          propagationPolicy: opts.propagationPolicy,
          preconditions: opts.preconditions,
        });
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
      log("info", "pod evicted", { cluster: ctx.cluster, kind: "Pod", key: `${ctx.path.namespace}/${name}` });
    }
    return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201, ctx);
  }
}
