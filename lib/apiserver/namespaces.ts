import { errors } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import { log } from "../log.ts";
import type { ResourceContext } from "./context.ts";

// Namespace deletion. A namespace carries the "kubernetes" finalizer in spec.finalizers; deleting it marks it
// Terminating, removes its content, then drops the finalizer, which completes the delete. The control-loop
// issue moves the content removal into a namespace controller; until then it runs within the request.

const UNDELETABLE = new Set(["default", "kube-system", "kube-public"]);

export function isNamespace(ctx: ResourceContext): boolean {
  return ctx.kind.group === "" && ctx.kind.plural === "namespaces";
}

/** Finalizers that hold a delete: metadata.finalizers, plus spec.finalizers on namespaces. */
export function pendingFinalizers(ctx: ResourceContext, obj: KubeObject): string[] {
  const meta = obj.metadata.finalizers ?? [];
  if (!isNamespace(ctx)) return meta;
  return [...meta, ...(((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) as string[])];
}

export function checkNamespaceDeletable(ctx: ResourceContext, name: string): void {
  if (isNamespace(ctx) && UNDELETABLE.has(name)) {
    throw errors.forbidden(
      `namespaces "${name}" is forbidden: this namespace may not be deleted`,
      { group: "", plural: "namespaces" },
      name,
    );
  }
}

export function markTerminating(ctx: ResourceContext, obj: KubeObject): void {
  if (isNamespace(ctx)) obj.status = { ...((obj.status as object) ?? {}), phase: "Terminating" };
}

/** Deletes everything in the namespace, then removes the "kubernetes" finalizer if nothing is left. */
export async function finalizeNamespace(ctx: ResourceContext, name: string): Promise<void> {
  const { deleteObject } = await import("./handlers/delete.ts");
  const { commitUpdate } = await import("./handlers/commit.ts");
  let remaining = 0;
  for (const kind of await ctx.registry.all(ctx.cluster)) {
    if (!kind.namespaced || !kind.verbs.includes("delete")) continue;
    const sub: ResourceContext = {
      ...ctx,
      kind,
      path: { group: kind.group, version: kind.version, plural: kind.plural, namespace: name },
    };
    const { items } = await ctx.store.list(
      { cluster: ctx.cluster, group: kind.group, plural: kind.plural },
      { namespace: name },
    );
    for (const it of items) {
      try {
        const left = await deleteObject(sub, it.metadata.name!, {});
        if ((left.metadata.finalizers ?? []).length > 0) remaining++;
      } catch (e) {
        if ((e as { code?: number }).code !== 404) throw e;
      }
    }
  }
  if (remaining > 0) {
    log("info", "namespace waits for finalizers", {
      cluster: ctx.cluster,
      kind: "Namespace",
      key: name,
      remaining,
    });
    return;
  }
  const nsCtx: ResourceContext = { ...ctx, path: { group: "", version: "v1", plural: "namespaces", name } };
  const ns = await ctx.store.get({
    cluster: ctx.cluster,
    group: "",
    plural: "namespaces",
    namespace: "",
    name,
  });
  if (!ns) return;
  const next = structuredClone(ns);
  next.spec = { ...((next.spec as object) ?? {}), finalizers: [] };
  await commitUpdate(nsCtx, ns, next);
}
