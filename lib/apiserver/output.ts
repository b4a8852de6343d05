import { toTable } from "../api/table.ts";
import { apiVersionOf, type KubeObject } from "../api/types.ts";
import type { ResourceContext } from "./context.ts";

// Content negotiation for reads: kubectl get asks for a meta.k8s.io Table, the garbage collector and
// `kubectl delete --all` may ask for PartialObjectMetadata, everyone else gets plain objects.

export type OutputFormat = "object" | "table" | "partial";

export function outputFormat(accept: string | null): OutputFormat {
  if (!accept) return "object";
  for (const part of accept.split(",")) {
    const params = part.split(";").map((s) => s.trim());
    const as = params.find((p) => p.startsWith("as="))?.slice(3);
    if (as === "Table") return "table";
    if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") return "partial";
    if (
      !as &&
      (params[0] === "application/json" || params[0] === "*/*" || params[0].startsWith("application/"))
    ) {
      return "object";
    }
  }
  return "object";
}

function partial(obj: KubeObject) {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

export function renderOne(ctx: ResourceContext, obj: KubeObject): unknown {
  const fmt = outputFormat(ctx.headers.get("accept"));
  if (fmt === "table") {
    return toTable(ctx.kind, [obj], {
      includeObject: includeObject(ctx),
      resourceVersion: obj.metadata.resourceVersion,
    });
  }
  if (fmt === "partial") return partial(obj);
  return obj;
}

export function renderList(
  ctx: ResourceContext,
  items: KubeObject[],
  resourceVersion: string,
  cont?: string,
): unknown {
  const fmt = outputFormat(ctx.headers.get("accept"));
  if (fmt === "table")
    return toTable(ctx.kind, items, { includeObject: includeObject(ctx), resourceVersion, continue: cont });
  const metadata: Record<string, string> = { resourceVersion };
  if (cont) metadata.continue = cont;
  if (fmt === "partial") {
    return {
      kind: "PartialObjectMetadataList",
      apiVersion: "meta.k8s.io/v1",
      metadata,
      items: items.map(partial),
    };
  }
  return { kind: ctx.kind.listKind, apiVersion: apiVersionOf(ctx.kind), metadata, items };
}

function includeObject(ctx: ResourceContext): "None" | "Object" | "Metadata" {
  const v = ctx.query.get("includeObject");
  return v === "None" || v === "Object" ? v : "Metadata";
}
