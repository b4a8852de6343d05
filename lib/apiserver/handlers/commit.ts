import { updateManagedFields } from "../../api/patch/index.ts";
import { errors, StatusError } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import { ObjectTooLargeError } from "../../store/codec.ts";
import { ClusterNotFoundError, CommitBusyError, CommitConflictError } from "../../store/committer.ts";
import { admit } from "../admission.ts";
import { clone, fieldManager, isDryRun, objectKey, type ResourceContext, resourceOf } from "../context.ts";
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
  await admit(ctx, "CREATE", obj);
  ctx.kind.default(obj);
  validateOrThrow(ctx, obj);
  if (!opts.managedFieldsDone) {
    updateManagedFields(undefined, obj, fieldManager(ctx), "Update", { subresource: ctx.path.subresource });
  }
  if (isDryRun(ctx)) return obj;
  try {
    return await ctx.store.create(objectKey(ctx, obj.metadata.name!, obj.metadata.namespace), obj);
  } catch (e) {
    translateStoreError(ctx, e, obj.metadata.name!);
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
  await admit(ctx, "UPDATE", next, old);
  ctx.kind.default(next);
  if (specChanged(old, next)) m.generation = (o.generation ?? 1) + 1;
  validateOrThrow(ctx, next, old);
  if (!opts.managedFieldsDone) {
    updateManagedFields(old, next, fieldManager(ctx), "Update", { subresource: ctx.path.subresource });
  }
  if (JSON.stringify(stripRv(old)) === JSON.stringify(stripRv(next))) return old; // a no-op write keeps its revision
  if (isDryRun(ctx)) return next;
  const key = objectKey(ctx, o.name!, o.namespace);
  try {
    // Removing the last finalizer of an object being deleted completes the delete.
    if (m.deletionTimestamp && pendingFinalizers(ctx, next).length === 0) {
      return await ctx.store.delete(key, next, Number(o.resourceVersion));
    }
    return await ctx.store.update(key, next, Number(o.resourceVersion));
  } catch (e) {
    translateStoreError(ctx, e, o.name!);
  }
}

function stripRv(o: KubeObject): KubeObject {
  const c = clone(o);
  delete c.metadata.resourceVersion;
  if (c.metadata.managedFields) for (const f of c.metadata.managedFields) delete f.time;
  return c;
}
