import { errors } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import type { ResourceContext } from "./context.ts";

// Namespace deletion. A namespace carries the "kubernetes" finalizer in spec.finalizers; deleting it marks it
// Terminating; the namespace controller removes its content, then drops the finalizer through the finalize
// subresource, which completes the delete.

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
