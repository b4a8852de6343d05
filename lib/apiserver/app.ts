import { Hono } from "hono";
import { errors, StatusError } from "../api/status.ts";
import { log } from "../log.ts";
import { KindRegistry } from "../store/kind-registry.ts";
import type { Store } from "../store/store.ts";
import { handleReview, REVIEW_GROUPS } from "./access-review.ts";
import type { ResourceContext } from "./context.ts";
import { handleDiscovery } from "./discovery.ts";
import { json } from "./handlers/write.ts";
import { handleHpaV1 } from "./hpa-v1.ts";
import { handleMetrics, METRICS_GROUP } from "./metrics.ts";
import { parseApiPath } from "./path.ts";
import { authenticate, authorizeOrThrow, verbOf } from "./pipeline.ts";
import { handleResource } from "./resources.ts";

export interface AppDeps {
  store: Store;
  /** Whether the stack is ready to serve (pollers running, tables present). */
  ready?: () => boolean;
}

const CLUSTER_CACHE_MS = 5_000;

/** The API server: one Hono app for the Kubernetes API of every cluster, under /clusters/{name}/. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const registry = new KindRegistry(deps.store);
  // Clusters seen recently, with the version /version reports (an upgrade shows within the cache time).
  const known = new Map<string, { at: number; version?: string }>();

  const health = (c: { text: (s: string, code?: 200 | 503) => Response }) =>
    deps.ready && !deps.ready() ? c.text("not ready", 503) : c.text("ok");
  app.get("/healthz", (c) => health(c));
  app.get("/livez", (c) => c.text("ok"));
  app.get("/readyz", (c) => health(c));

  app.all("/clusters/:cluster/*", async (c) => {
    const cluster = c.req.param("cluster");
    const url = new URL(c.req.url);
    const prefix = `/clusters/${encodeURIComponent(cluster)}`;
    const rest = url.pathname.slice(prefix.length) || "/";
    try {
      let seen = known.get(cluster);
      if (!seen || Date.now() - seen.at > CLUSTER_CACHE_MS) {
        const rec = await deps.store.getCluster(cluster);
        if (!rec) throw errors.pathNotFound(`cluster ${cluster}`);
        seen = { at: Date.now(), version: rec.version };
        known.set(cluster, seen);
      }
      const path = parseApiPath(rest);
      if (!path) throw errors.pathNotFound(rest);
      if (path.type !== "resource") {
        if (path.type === "health") return health(c);
        return await handleDiscovery(c.req.raw, path, cluster, registry, prefix, seen.version);
      }
      if (path.group === "autoscaling" && path.version === "v1" && path.plural === "horizontalpodautoscalers")
        return await handleHpaV1(c.req.raw, rest, (p, init) =>
          Promise.resolve(app.request(`${url.origin}${prefix}${p}`, init)),
        );
      if (REVIEW_GROUPS.has(path.group)) return await handleReview(c.req.raw, cluster, path, rest);
      if (path.group === METRICS_GROUP) {
        // Served here, not from the kinds registry: the simulated metrics-server has no storage.
        if (!(await authenticate(c.req.raw, cluster)))
          throw new StatusError(401, "Unauthorized", "Unauthorized");
        return await handleMetrics(deps.store, cluster, path, c.req.method, url.searchParams);
      }
      const kind = await registry.find(cluster, path.group, path.version, path.plural);
      if (!kind) throw errors.pathNotFound(rest);
      const isWatch = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
      const user = await authenticate(c.req.raw, cluster);
      if (!user) throw new StatusError(401, "Unauthorized", "Unauthorized");
      const verb = verbOf(c.req.method, Boolean(path.name), isWatch);
      await authorizeOrThrow(user, {
        cluster,
        verb,
        group: path.group,
        resource: path.plural,
        subresource: path.subresource,
        namespace: path.namespace,
        name: path.name,
        path: rest,
      });
      const ctx: ResourceContext = {
        cluster,
        store: deps.store,
        registry,
        kind,
        path,
        method: c.req.method,
        query: url.searchParams,
        headers: c.req.raw.headers,
        request: c.req.raw,
        user,
        warnings: [],
        signal: c.req.raw.signal,
      };
      const res = await handleResource(ctx);
      if (kind.group === "apiextensions.k8s.io" && c.req.method !== "GET") registry.invalidate(cluster);
      return res;
    } catch (e) {
      return errorResponse(e, { cluster, method: c.req.method, path: rest });
    }
  });

  app.notFound((c) => errorResponse(errors.pathNotFound(new URL(c.req.url).pathname), {}));
  app.onError((e) => errorResponse(e, {}));
  return app;
}

export function errorResponse(e: unknown, fields: Record<string, unknown>): Response {
  if (e instanceof StatusError) {
    if (e.code >= 500) log("error", e.message, fields);
    return json(e.toStatus(), e.code);
  }
  log("error", "unhandled error", {
    ...fields,
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
  });
  return json(errors.internal(e instanceof Error ? e.message : String(e)).toStatus(), 500);
}
