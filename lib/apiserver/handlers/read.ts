import { parseFieldSelector, parseLabelSelector, SelectorError } from "../../api/selectors.ts";
import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import { InvalidContinueError } from "../../store/store.ts";
import { asServed, objectKey, type ResourceContext, resourceOf } from "../context.ts";
import { renderList, renderOne } from "../output.ts";
import { json } from "./write.ts";

export async function get(ctx: ResourceContext): Promise<Response> {
  const name = ctx.path.name!;
  const obj = await ctx.store.get(objectKey(ctx, name));
  if (!obj) throw errors.notFound(resourceOf(ctx), name);
  return json(renderOne(ctx, asServed(ctx, obj)), 200, ctx);
}

/** Label and field selectors from the query, as one predicate. */
export function selectorFilter(ctx: ResourceContext): ((obj: KubeObject) => boolean) | undefined {
  try {
    const labels = parseLabelSelector(ctx.query.get("labelSelector") ?? "");
    const fields = parseFieldSelector(ctx.query.get("fieldSelector") ?? "", ctx.kind);
    if (labels.empty && fields.empty) return undefined;
    return (obj) => labels.matches(obj.metadata.labels) && fields.matches(obj);
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest((e as Error).message);
    throw e;
  }
}

const MAX_PAGE = 10_000;
export async function list(ctx: ResourceContext): Promise<Response> {
  const limitParam = ctx.query.get("limit");
  const asked = limitParam ? Number(limitParam) : undefined;
  if (asked !== undefined && (!/^\d+$/.test(limitParam ?? "") || !Number.isSafeInteger(asked))) {
    throw errors.badRequest(`limit must be a non-negative integer, got "${limitParam}"`);
  }
  // A server may return fewer items than asked, with a continue token; past this a page stays bounded.
  const limit = asked === undefined || asked === 0 ? asked : Math.min(asked, MAX_PAGE);
  try {
    const res = await ctx.store.list(
      { cluster: ctx.cluster, group: ctx.kind.group, plural: ctx.kind.plural },
      {
        namespace: ctx.kind.namespaced ? ctx.path.namespace : undefined,
        limit,
        continue: ctx.query.get("continue") ?? undefined,
        filter: selectorFilter(ctx),
      },
    );
    const items = res.items.map((o) => asServed(ctx, o));
    return json(renderList(ctx, items, res.resourceVersion, res.continue), 200, ctx);
  } catch (e) {
    if (e instanceof InvalidContinueError) throw errors.badRequest(e.message);
    throw e;
  }
}
