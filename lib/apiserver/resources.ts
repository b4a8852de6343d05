import { boolParam } from "../api/query.ts";
import { errors } from "../api/status.ts";
import { checkTypeMeta, decodeBody, readBody } from "./body.ts";
import type { ResourceContext } from "./context.ts";
import { objectKey, resourceOf } from "./context.ts";
import { evict } from "./eviction.ts";
import { commitUpdate } from "./handlers/commit.ts";
import { remove, removeCollection } from "./handlers/delete.ts";
import { patch } from "./handlers/patch.ts";
import { get, list } from "./handlers/read.ts";
import { scaleOf, withScale } from "./handlers/scale.ts";
import { watch } from "./handlers/watch.ts";
import { create, json, readObject, update } from "./handlers/write.ts";
import { podLog } from "./logs.ts";
import { verbOf } from "./pipeline.ts";
import { podStream, STREAM_SUBRESOURCES } from "./pod-streams.ts";
import { requestToken } from "./token-request.ts";

// Dispatches a resource request to its handler by method, name and subresource.

export async function handleResource(ctx: ResourceContext): Promise<Response> {
  const { method, path, query } = ctx;
  const isWatch = boolParam(query, "watch");
  if (!ctx.kind.namespaced && path.namespace !== undefined) throw errors.pathNotFound(ctx.request.url);
  if (ctx.kind.namespaced && path.namespace === undefined && path.name !== undefined)
    throw errors.pathNotFound(ctx.request.url);
  const sub = path.subresource;
  if (sub) return handleSubresource(ctx, sub);
  // Only the verbs discovery publishes for the resource are served, as kube-apiserver installs handlers.
  const verb = verbOf(method, Boolean(path.name), isWatch);
  if (!ctx.kind.verbs.includes(verb))
    throw errors.methodNotAllowed("the server does not allow this method on the requested resource");
  switch (method) {
    case "GET":
      if (isWatch) return watch(ctx);
      return path.name ? get(ctx) : list(ctx);
    case "POST":
      return create(ctx);
    case "PUT":
      if (!path.name) throw errors.methodNotAllowed("PUT requires a name");
      return update(ctx);
    case "PATCH":
      if (!path.name) throw errors.methodNotAllowed("PATCH requires a name");
      return patch(ctx);
    case "DELETE":
      return path.name ? remove(ctx) : removeCollection(ctx);
    default:
      throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

async function handleSubresource(ctx: ResourceContext, sub: string): Promise<Response> {
  const name = ctx.path.name!;
  if (sub === "status" && ctx.kind.subresources.status) {
    if (ctx.method === "GET") return get(ctx);
    if (ctx.method === "PUT") return update(ctx);
    if (ctx.method === "PATCH") return patch(ctx);
  }
  if (sub === "scale" && ctx.kind.subresources.scale) {
    if (ctx.method === "GET") {
      const obj = await ctx.store.get(objectKey(ctx, name));
      if (!obj) throw errors.notFound(resourceOf(ctx), name);
      return json(scaleOf(ctx, obj), 200, ctx);
    }
    if (ctx.method === "PATCH") return patch(ctx);
    if (ctx.method === "PUT") {
      const scale = checkTypeMeta(
        decodeBody(await readBody(ctx.request), ctx.headers.get("content-type") ?? ""),
        "autoscaling/v1",
        "Scale",
      );
      const old = await ctx.store.get(objectKey(ctx, name));
      if (!old) throw errors.notFound(resourceOf(ctx), name);
      const rv = scale.metadata.resourceVersion;
      if (rv && rv !== old.metadata.resourceVersion) throw errors.conflict(resourceOf(ctx), name);
      const saved = await commitUpdate(ctx, old, withScale(ctx, old, scale));
      return json(scaleOf(ctx, saved), 200, ctx);
    }
  }
  if (sub === "log" && ctx.kind.plural === "pods" && ctx.kind.group === "" && ctx.method === "GET") {
    return podLog(ctx, name);
  }
  if (STREAM_SUBRESOURCES.has(sub) && ctx.kind.plural === "pods" && ctx.kind.group === "") {
    return podStream(ctx, name, sub);
  }
  if (sub === "token" && ctx.kind.plural === "serviceaccounts" && ctx.kind.group === "") {
    return requestToken(ctx, name);
  }
  if (sub === "eviction" && ctx.kind.plural === "pods" && ctx.kind.group === "" && ctx.method === "POST") {
    return evict(ctx, name);
  }
  if (sub === "binding" && ctx.kind.plural === "pods" && ctx.kind.group === "" && ctx.method === "POST") {
    return bind(ctx, name);
  }
  if (sub === "finalize" && ctx.kind.plural === "namespaces" && ctx.method === "PUT") {
    const obj = await readObject(ctx);
    const old = await ctx.store.get(objectKey(ctx, name));
    if (!old) throw errors.notFound(resourceOf(ctx), name);
    const next = structuredClone(old);
    next.spec = {
      ...(next.spec as object),
      finalizers: (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [],
    };
    return json(await commitUpdate(ctx, old, next), 200, ctx);
  }
  throw errors.pathNotFound(`${ctx.kind.plural}/${sub}`);
}

/** pods/{name}/binding: the scheduler's way to assign a node, once. */
async function bind(ctx: ResourceContext, name: string): Promise<Response> {
  const binding = decodeBody(await readBody(ctx.request), ctx.headers.get("content-type") ?? "") as {
    target?: { name?: string };
    metadata?: { uid?: string };
  };
  const target = binding.target?.name;
  if (!target) throw errors.badRequest("a Binding needs target.name");
  const old = await ctx.store.get(objectKey(ctx, name));
  if (!old) throw errors.notFound(resourceOf(ctx), name);
  const spec = (old.spec ?? {}) as { nodeName?: string };
  if (spec.nodeName)
    throw errors.conflict(
      resourceOf(ctx),
      name,
      `pod ${name} is already assigned to node "${spec.nodeName}"`,
    );
  if (binding.metadata?.uid && binding.metadata.uid !== old.metadata.uid)
    throw errors.conflict(resourceOf(ctx), name, "the pod was replaced");
  const next = structuredClone(old);
  (next.spec as { nodeName?: string }).nodeName = target;
  const status = (next.status ?? {}) as { conditions?: { type: string }[] };
  const ts = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  status.conditions = [
    ...(status.conditions ?? []).filter((c) => c.type !== "PodScheduled"),
    { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: ts } as never,
  ];
  next.status = status;
  await commitUpdate(ctx, old, next);
  return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201, ctx);
}
