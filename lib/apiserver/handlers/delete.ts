import { errors } from "../../api/status.ts";
import type { JsonObject, KubeObject } from "../../api/types.ts";
import { CommitConflictError } from "../../store/committer.ts";
import { decodeBody, readBody } from "../body.ts";
import { asServed, isDryRun, objectKey, type ResourceContext, resourceOf } from "../context.ts";
import {
  checkNamespaceDeletable,
  finalizeNamespace,
  isNamespace,
  markTerminating,
  pendingFinalizers,
} from "../namespaces.ts";
import { translateStoreError } from "./commit.ts";
import { selectorFilter } from "./read.ts";
import { json } from "./write.ts";

// Deletion honours finalizers: an object that has any only gets deletionTimestamp and stays until the last
// finalizer is removed (see commitUpdate). Everything else becomes a tombstone and a DELETED event.

interface DeleteOptions {
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

async function deleteOptions(ctx: ResourceContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.request);
  const opts: DeleteOptions =
    body.length > 0 && body.toString("utf8").trim()
      ? (decodeBody(body, ctx.headers.get("content-type") ?? "") as JsonObject)
      : {};
  const pp = ctx.query.get("propagationPolicy") ?? opts.propagationPolicy;
  if (pp !== undefined && pp !== "Foreground" && pp !== "Background" && pp !== "Orphan") {
    throw errors.badRequest(
      `propagationPolicy: Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  opts.propagationPolicy = pp;
  const grace = ctx.query.get("gracePeriodSeconds");
  if (grace !== null) opts.gracePeriodSeconds = Number(grace);
  return opts;
}

export async function deleteObject(
  ctx: ResourceContext,
  name: string,
  opts: DeleteOptions,
): Promise<KubeObject> {
  const res = resourceOf(ctx);
  for (let attempt = 0; ; attempt++) {
    const old = await ctx.store.get(objectKey(ctx, name));
    if (!old) throw errors.notFound(res, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(
        res,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(
        res,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    checkNamespaceDeletable(ctx, name);
    const next: KubeObject = structuredClone(old);
    const finalizers = pendingFinalizers(ctx, next);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    if (finalizers.length > 0 && old.metadata.deletionTimestamp) return old; // already being deleted
    next.metadata.deletionTimestamp ??= now;
    next.metadata.deletionGracePeriodSeconds = 0;
    markTerminating(ctx, next);
    if (isDryRun(ctx)) return next;
    const key = objectKey(ctx, name);
    try {
      if (finalizers.length > 0)
        return await ctx.store.update(key, next, Number(old.metadata.resourceVersion));
      return await ctx.store.delete(key, next, Number(old.metadata.resourceVersion));
    } catch (e) {
      // Lost a race with another writer: re-read and try again, unless the caller pinned a resourceVersion.
      if (e instanceof CommitConflictError && !e.absentExpected && !pre?.resourceVersion && attempt < 5)
        continue;
      translateStoreError(ctx, e, name);
    }
  }
}

export async function remove(ctx: ResourceContext): Promise<Response> {
  const opts = await deleteOptions(ctx);
  let obj = await deleteObject(ctx, ctx.path.name!, opts);
  if (isNamespace(ctx) && !isDryRun(ctx)) {
    await finalizeNamespace(ctx, ctx.path.name!);
    obj = (await ctx.store.get(objectKey(ctx, ctx.path.name!))) ?? obj;
  }
  return json(asServed(ctx, obj), pendingFinalizers(ctx, obj).length ? 202 : 200, ctx);
}

export async function removeCollection(ctx: ResourceContext): Promise<Response> {
  const opts = await deleteOptions(ctx);
  const filter = selectorFilter(ctx);
  const { items, resourceVersion } = await ctx.store.list(
    { cluster: ctx.cluster, group: ctx.kind.group, plural: ctx.kind.plural },
    { namespace: ctx.kind.namespaced ? ctx.path.namespace : undefined, filter },
  );
  const deleted: KubeObject[] = [];
  for (const it of items) {
    try {
      deleted.push(await deleteObject(ctx, it.metadata.name!, opts));
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  return json(
    {
      kind: ctx.kind.listKind,
      apiVersion: items[0]?.apiVersion ?? "v1",
      metadata: { resourceVersion },
      items: deleted,
    },
    200,
    ctx,
  );
}
