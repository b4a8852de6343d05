import { OWNER_KINDS } from "../../api/owner-kinds.ts";
import { errors } from "../../api/status.ts";
import type { JsonObject, KubeObject } from "../../api/types.ts";
import { CommitConflictError } from "../../store/committer.ts";
import { releasesOnDelete } from "../admission/service-allocation.ts";
import { decodeBody, readBody } from "../body.ts";
import { asServed, isDryRun, objectKey, type ResourceContext, resourceOf } from "../context.ts";
import { checkNamespaceDeletable, markTerminating, pendingFinalizers } from "../namespaces.ts";
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

/**
 * The grace period to wait for when deleting a pod whose kubelet must stop it first; undefined when the pod
 * can go at once (not on a node, finished, grace 0); "keep" when it is already marked with a shorter grace.
 */
function podGrace(ctx: ResourceContext, old: KubeObject, opts: DeleteOptions): number | "keep" | undefined {
  if (ctx.kind.group !== "" || ctx.kind.plural !== "pods") return undefined;
  const spec = old.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
  const phase = (old.status as { phase?: string } | undefined)?.phase;
  if (!spec?.nodeName || phase === "Succeeded" || phase === "Failed") return undefined;
  const grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  if (!(grace > 0)) return undefined;
  if (old.metadata.deletionTimestamp) {
    const remaining = (Date.parse(old.metadata.deletionTimestamp) - Date.now()) / 1000;
    return grace < remaining ? grace : "keep";
  }
  return grace;
}

const OWNERS = new Set(OWNER_KINDS);

/**
 * Foreground and Orphan deletion are finalizers the garbage collector acts on (lib/controllers/gc-finalize.ts):
 * it deletes the dependents first, or strips their owner references, then lets the owner go.
 */
function addPropagationFinalizer(ctx: ResourceContext, obj: KubeObject, policy: string | undefined): void {
  if (obj.metadata.deletionTimestamp || (policy !== "Foreground" && policy !== "Orphan")) return;
  // Only kinds that own objects wait for the collector; anything else has no dependents to handle.
  if (!OWNERS.has(`${ctx.kind.group}/${ctx.kind.plural}`)) return;
  const f = policy === "Foreground" ? "foregroundDeletion" : "orphan";
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(f)) obj.metadata.finalizers = [...list, f];
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
    addPropagationFinalizer(ctx, next, opts.propagationPolicy);
    const finalizers = pendingFinalizers(ctx, next);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const grace = podGrace(ctx, old, opts);
    if (grace === "keep") return old;
    if (grace === undefined && finalizers.length > 0 && old.metadata.deletionTimestamp) return old; // already being deleted
    if (grace !== undefined) {
      // A running pod is marked and its kubelet stops the containers, then deletes it with grace 0.
      next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000)
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z");
      next.metadata.deletionGracePeriodSeconds = grace;
    } else {
      next.metadata.deletionTimestamp ??= now;
      next.metadata.deletionGracePeriodSeconds = 0;
    }
    markTerminating(ctx, next);
    if (isDryRun(ctx)) return next;
    const key = objectKey(ctx, name);
    try {
      if (finalizers.length > 0 || grace !== undefined)
        return await ctx.store.update(key, next, Number(old.metadata.resourceVersion));
      return await ctx.store.delete(
        key,
        next,
        Number(old.metadata.resourceVersion),
        releasesOnDelete(ctx, old),
      );
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
  const obj = await deleteObject(ctx, ctx.path.name!, opts);
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
