import { updateManagedFields } from "../../api/patch/index.ts";
import { errors, StatusError } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import { ObjectTooLargeError } from "../../store/codec.ts";
import {
  ClusterNotFoundError,
  CommitBusyError,
  CommitConflictError,
  CompanionConflictError,
} from "../../store/committer.ts";
import { admit } from "../admission/index.ts";
import { CLUSTER_IP, releasesOnDelete } from "../admission/service-allocation.ts";
import { type ClaimRequest, CommitExtras } from "../commit-extras.ts";
import { clone, fieldManager, isDryRun, objectKey, type ResourceContext, resourceOf } from "../context.ts";
import { withKeyLock } from "../keyed-lock.ts";
import { pendingFinalizers } from "../namespaces.ts";

// The shared tail of every write: admission, defaulting, validation, managedFields, then a compare-and-swap
// commit. Create, update, patch and the status/scale subresources all end here.

export function translateStoreError(ctx: ResourceContext, e: unknown, name: string): never {
  if (e instanceof CommitConflictError) {
    if (e.absentExpected) throw errors.alreadyExists(resourceOf(ctx), name);
    throw errors.conflict(resourceOf(ctx), name);
  }
  if (e instanceof ObjectTooLargeError) throw errors.tooLarge(`Request entity too large: ${e.message}`);
  if (e instanceof CommitBusyError) throw errors.tooManyRequests(e.message);
  if (e instanceof ClusterNotFoundError) throw errors.pathNotFound(`cluster ${ctx.cluster}`);
  if (e instanceof StatusError) throw e;
  throw e;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(rest);
  };
  return strip(a) !== strip(b);
}

function validateOrThrow(ctx: ResourceContext, obj: KubeObject, old?: KubeObject): void {
  const errs = ctx.kind.validate(obj, old);
  if (errs.length > 0) throw errors.invalid(ctx.kind.kind, ctx.kind.group, obj.metadata.name ?? "", errs);
}

export async function commitCreate(
  ctx: ResourceContext,
  obj: KubeObject,
  opts: UpdateOptions = {},
): Promise<KubeObject> {
  const key = objectKey(ctx, obj.metadata.name!, obj.metadata.namespace);
  return withCompanions(ctx, obj, ctx.kind.namespaced || isService(ctx), async (obj, extras) => {
    await admit(ctx, "CREATE", obj, undefined, extras);
    ctx.kind.default(obj);
    validateOrThrow(ctx, obj);
    if (!opts.managedFieldsDone) {
      updateManagedFields(undefined, obj, fieldManager(ctx), "Update", { subresource: ctx.path.subresource });
    }
    if (isDryRun(ctx)) return obj;
    return await ctx.store.create(key, obj, extras.companions());
  });
}

const MAX_ADMISSION_TRIES = 25;

/** Kinds per namespace whose writes admission charged to a quota lately: they take the namespace lock at once. */
const quotaNamespaces = new Map<string, number>();
const QUOTA_MEMORY_MS = 60_000;

function chargedLately(key: string): boolean {
  const t = quotaNamespaces.get(key);
  return t !== undefined && Date.now() - t < QUOTA_MEMORY_MS;
}

function rememberQuotaNamespace(key: string): void {
  quotaNamespaces.set(key, Date.now());
  if (quotaNamespaces.size > 1_000) {
    const cutoff = Date.now() - QUOTA_MEMORY_MS;
    for (const [k, t] of quotaNamespaces) if (t < cutoff) quotaNamespaces.delete(k);
  }
}

function isService(ctx: ResourceContext): boolean {
  return ctx.kind.group === "" && ctx.kind.plural === "services";
}

/**
 * Runs admission through commit, again on a fresh copy of `input` when something admission asked to commit
 * with the object conflicts (a claimed value, a quota another create charged first). `retryable` says whether
 * admission may ask for companions at all; without them the input is used as is and never copied.
 */
async function withCompanions(
  ctx: ResourceContext,
  input: KubeObject,
  retryable: boolean,
  run: (obj: KubeObject, extras: CommitExtras) => Promise<KubeObject>,
): Promise<KubeObject> {
  const name = input.metadata.name!;
  const taken = new Map<string, Set<number>>();
  const lockKey = `${ctx.cluster}/${input.metadata.namespace ?? ""}`;
  // Remembered per kind: events in a namespace whose pods are charged keep their own pace.
  const chargeKey = `${lockKey}/${ctx.kind.group}/${ctx.kind.plural}`;
  for (let attempt = 0; ; attempt++) {
    const obj = retryable ? clone(input) : input;
    try {
      const extras = new CommitExtras(attempt, taken);
      // Writes that charge a quota, or lost a race once, queue per namespace in this process, like the
      // apiserver's per-namespace quota evaluator: a burst of creates (a ReplicaSet scaling up) then commits
      // one after another instead of all re-reading the quota and colliding again on every try.
      const locked = retryable && (attempt > 0 || chargedLately(chargeKey));
      const out = locked ? await withKeyLock(lockKey, () => run(obj, extras)) : await run(obj, extras);
      if (extras.writes.length > 0) rememberQuotaNamespace(chargeKey);
      return out;
    } catch (e) {
      if (!(e instanceof CompanionConflictError)) translateStoreError(ctx, e, name);
      const claims = e.failed.filter((c) => c.kind === "claim");
      for (const c of claims) {
        const claim = c.tag as ClaimRequest;
        if (claim.refuse) throw claim.refuse();
        if (!taken.has(claim.space)) taken.set(claim.space, new Set());
        taken.get(claim.space)!.add(claim.value);
      }
      if (attempt + 1 >= MAX_ADMISSION_TRIES) {
        throw errors.internal(
          claims.length > 0
            ? `failed to allocate a ${(claims[0].tag as ClaimRequest).space === CLUSTER_IP ? "serviceIP" : "nodePort"}: too many concurrent allocations`
            : "resource quota evaluation timed out",
        );
      }
      // Competing creates re-read what committed; jitter keeps them from meeting again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * Math.min(attempt + 1, 5)));
    }
  }
}

export interface UpdateOptions {
  /** Managed-fields bookkeeping is done by the caller (server-side apply records an Apply entry itself). */
  managedFieldsDone?: boolean;
}

/** Commits `next` over `old` (the version it was derived from). */
export async function commitUpdate(
  ctx: ResourceContext,
  old: KubeObject,
  next: KubeObject,
  opts: UpdateOptions = {},
): Promise<KubeObject> {
  const m = next.metadata;
  const o = old.metadata;
  // System-owned metadata cannot be changed by clients.
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.namespace = o.namespace;
  m.name = o.name;
  if (o.deletionTimestamp) {
    m.deletionTimestamp = o.deletionTimestamp;
    m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (o.generation !== undefined) m.generation = o.generation;
  const key = objectKey(ctx, o.name!, o.namespace);
  return withCompanions(ctx, next, isService(ctx), async (next, extras) => {
    const m = next.metadata;
    await admit(ctx, "UPDATE", next, old, extras);
    ctx.kind.default(next);
    if (specChanged(old, next)) m.generation = (o.generation ?? 1) + 1;
    validateOrThrow(ctx, next, old);
    if (!opts.managedFieldsDone) {
      updateManagedFields(old, next, fieldManager(ctx), "Update", { subresource: ctx.path.subresource });
    }
    if (JSON.stringify(stripRv(old)) === JSON.stringify(stripRv(next))) return old; // a no-op write keeps its revision
    if (isDryRun(ctx)) return next;
    // Removing the last finalizer of an object being deleted completes the delete.
    if (m.deletionTimestamp && pendingFinalizers(ctx, next).length === 0) {
      return await ctx.store.delete(key, next, Number(o.resourceVersion), releasesOnDelete(ctx, old, next));
    }
    return await ctx.store.update(key, next, Number(o.resourceVersion), extras.companions());
  });
}

function stripRv(o: KubeObject): KubeObject {
  const c = clone(o);
  delete c.metadata.resourceVersion;
  if (c.metadata.managedFields) for (const f of c.metadata.managedFields) delete f.time;
  return c;
}
