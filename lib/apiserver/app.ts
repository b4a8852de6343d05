import { Hono } from "hono";
import { boolParam } from "../api/query.ts";
import { errors, StatusError } from "../api/status.ts";
import { log } from "../log.ts";
import { KindRegistry } from "../store/kind-registry.ts";
import type { Store } from "../store/store.ts";
import { handleReview, REVIEW_GROUPS } from "./access-review.ts";
import type { ResourceContext } from "./context.ts";
import { handleDiscovery } from "./discovery.ts";
import { json } from "./handlers/write.ts";
import { handleHpaV1 } from "./hpa-v1.ts";
import { DEFAULT_LIMITS, InFlight, type InFlightLimits, releaseWhenDone, withTimeout } from "./inflight.ts";
import { handleMetrics, METRICS_GROUP } from "./metrics.ts";
import { OIDC_PATHS, oidcResponse } from "./oidc.ts";
import { parseApiPath } from "./path.ts";
import { AuthPipeline, nonResourceVerb, verbOf } from "./pipeline.ts";
import { handleResource } from "./resources.ts";
import type { ServiceAccountIssuer } from "./service-accounts.ts";

export interface AppDeps {
  store: Store;
  /** Whether the stack is ready to serve (pollers running, tables present). */
  ready?: () => boolean;
  /** Authenticators and authorizers; without them only in-process control loops are served. */
  auth?: AuthPipeline;
  /** In-flight limits (kube-apiserver's defaults when absent). */
  limits?: Partial<InFlightLimits>;
  /** The stack's AWS region. */
  region?: string;
  /** Service-account token issuers and keys; without them TokenRequest is refused. */
  serviceAccounts?: ServiceAccountIssuer;
  /**
   * Prometheus text the cluster's `/metrics` serves (kube-apiserver's endpoint, authorized as the non-resource
   * URL /metrics): the edge fills it with what the cluster's capacity costs. Without it /metrics is 404.
   */
  metrics?: (cluster: string) => Promise<string>;
  /** Called after a write to a kind, so caches of it (RBAC rules, aws-auth) drop what they hold. */
  onWrite?: (cluster: string, group: string, plural: string) => void;
}

const CLUSTER_CACHE_MS = 5_000;

/** The API server: one Hono app for the Kubernetes API of every cluster, under /clusters/{name}/. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const auth = deps.auth ?? new AuthPipeline();
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const inflight = new InFlight(limits);
  const registry = new KindRegistry(deps.store);
  // Clusters seen recently, with the version /version reports (an upgrade shows within the cache time).
  const known = new Map<string, { at: number; version?: string; serviceCidr?: string }>();

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
        seen = { at: Date.now(), version: rec.version, serviceCidr: rec.serviceCidr };
        known.set(cluster, seen);
      }
      const req = c.req.raw;
      if (OIDC_PATHS.has(rest)) {
        // kube serves its issuer's discovery on the API too, to callers system:service-account-issuer-discovery allows.
        const caller = await auth.authenticate(req, cluster, c.env, rest);
        await auth.authorizeOrThrow(caller, { cluster, verb: "get", group: "", resource: "", path: rest });
        const found = await deps.serviceAccounts?.forCluster(cluster, url.origin);
        const res = found && oidcResponse(rest, found);
        if (!res) throw errors.pathNotFound(rest);
        return res;
      }
      if (rest === "/metrics" && deps.metrics && req.method === "GET") {
        const caller = await auth.authenticate(req, cluster, c.env, rest);
        await auth.authorizeOrThrow(caller, { cluster, verb: "get", group: "", resource: "", path: rest });
        return c.text(await deps.metrics(cluster), 200, {
          "content-type": "text/plain; version=0.0.4; charset=utf-8",
        });
      }
      const path = parseApiPath(rest);
      if (!path) throw errors.pathNotFound(rest);
      const caller = await auth.authenticate(req, cluster, c.env, rest);
      if (path.type !== "resource") {
        await auth.authorizeOrThrow(caller, {
          cluster,
          verb: nonResourceVerb(req.method),
          group: "",
          resource: "",
          path: rest,
        });
        if (path.type === "health") return health(c);
        return await handleDiscovery(req, path, cluster, registry, prefix, seen.version);
      }
      const isWatch = boolParam(url.searchParams, "watch");
      const verb = verbOf(req.method, Boolean(path.name), isWatch);
      const attrs = {
        cluster,
        verb,
        group: path.group,
        resource: path.plural,
        subresource: path.subresource,
        namespace: path.namespace,
        name: path.name,
        path: rest,
      };
      if (
        path.group === "autoscaling" &&
        path.version === "v1" &&
        path.plural === "horizontalpodautoscalers"
      ) {
        await auth.authorizeOrThrow(caller, attrs);
        // The v2 request it is translated to is made as the same caller.
        return await handleHpaV1(req, rest, (p, init) =>
          Promise.resolve(app.request(`${url.origin}${prefix}${p}`, init, c.env)),
        );
      }
      if (REVIEW_GROUPS.has(path.group)) return await handleReview(req, auth, caller, cluster, path, rest);
      await auth.authorizeOrThrow(caller, attrs);
      // Served here, not from the kinds registry: the simulated metrics-server has no storage.
      if (path.group === METRICS_GROUP)
        return await handleMetrics(deps.store, cluster, path, req.method, url.searchParams);
      if (path.group === "" && path.plural === "componentstatuses") return componentStatuses(req, path);
      if (path.group === "" && path.plural === "bindings" && path.namespace && !path.name) {
        // POST .../bindings is the older path to a pod's binding subresource (what schedulers used to call).
        if (req.method !== "POST")
          throw errors.methodNotAllowed("the server does not allow this method on the requested resource");
        const text = await req.text();
        const name = (() => {
          try {
            const n = (JSON.parse(text) as { metadata?: { name?: unknown } }).metadata?.name;
            return typeof n === "string" ? n : "";
          } catch {
            return "";
          }
        })();
        if (!name) throw errors.badRequest("a Binding needs metadata.name: the pod to bind");
        const target = `${url.origin}${prefix}/api/v1/namespaces/${encodeURIComponent(path.namespace)}/pods/${encodeURIComponent(name)}/binding${url.search}`;
        return await app.request(target, { method: "POST", headers: req.headers, body: text }, c.env);
      }
      const kind = await registry.find(cluster, path.group, path.version, path.plural);
      if (!kind) throw errors.pathNotFound(rest);
      const user = caller.user;
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
        serviceCidr: seen.serviceCidr,
        serviceAccounts: deps.serviceAccounts,
        region: deps.region,
        warnings: [],
        signal: c.req.raw.signal,
      };
      // In-process loops are not limited: their work is bounded by the queues that feed them.
      const longRunning = isWatch || (path.subresource === "log" && boolParam(url.searchParams, "follow"));
      const release = caller.internal
        ? undefined
        : inflight.acquire(
            longRunning ? "long" : req.method === "GET" || req.method === "HEAD" ? "readonly" : "mutating",
            `${cluster}/${caller.user.username}`,
          );
      let res: Response;
      try {
        const work = handleResource(ctx);
        res =
          longRunning || caller.internal
            ? await work
            : await withTimeout(work, limits.requestTimeoutSeconds * 1000);
      } catch (e) {
        release?.();
        throw e;
      }
      if (release) {
        if (longRunning) res = releaseWhenDone(res, release);
        else release();
      }
      if (req.method !== "GET") {
        if (kind.group === "apiextensions.k8s.io") registry.invalidate(cluster);
        deps.onWrite?.(cluster, kind.group, kind.plural);
      }
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
    const res = json(e.toStatus(), e.code);
    // kube sends Retry-After with every 429 (and with the details' retryAfterSeconds).
    if (e.details?.retryAfterSeconds) res.headers.set("retry-after", String(e.details.retryAfterSeconds));
    return res;
  }
  log("error", "unhandled error", {
    ...fields,
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
  });
  return json(errors.internal(e instanceof Error ? e.message : String(e)).toStatus(), 500);
}

/** kube's deprecated componentstatuses, as a healthy EKS control plane answers them. */
function componentStatuses(req: Request, path: { name?: string }): Response {
  if (req.method !== "GET")
    throw errors.methodNotAllowed("the server does not allow this method on the requested resource");
  const item = (name: string) => ({
    kind: "ComponentStatus",
    apiVersion: "v1",
    metadata: { name, creationTimestamp: null },
    conditions: [{ type: "Healthy", status: "True", message: "ok" }],
  });
  const names = ["controller-manager", "scheduler", "etcd-0"];
  if (path.name) {
    if (!names.includes(path.name))
      throw errors.notFound({ group: "", plural: "componentstatuses" }, path.name);
    return json(item(path.name), 200);
  }
  return json({ kind: "ComponentStatusList", apiVersion: "v1", metadata: {}, items: names.map(item) }, 200);
}
