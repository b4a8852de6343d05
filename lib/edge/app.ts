import { Hono } from "hono";
import { errors, StatusError } from "../api/status.ts";
import { errorResponse } from "../apiserver/app.ts";
import type { EksContext, EksEffects } from "../eks/repo.ts";
import { createEksApp, isEksPath } from "../eks/router.ts";
import type { Principal } from "../identity/iam/credentials.ts";
import { TokenClusterResolver } from "../identity/token-cluster.ts";
import type { Store } from "../store/store.ts";
import { type AwsAuth, isQueryCall } from "./aws-auth.ts";
import type { DynamoEksRepo } from "./eks-repo.ts";

// The one HTTP edge: the EKS API (restJson1 paths under /clusters, /tags, /addons, /cluster-versions) and
// every cluster's Kubernetes API (/clusters/{name}/api/..., or the root with an EKS token naming the
// cluster). Requests are told apart by path alone; see docs/architecture.md "One edge".

interface FetchApp {
  fetch(req: Request): Response | Promise<Response>;
}

export interface EdgeOptions {
  store: Store;
  /** The Kubernetes API server (lib/apiserver), serving /clusters/{name}/... */
  kube: FetchApp;
  repo: DynamoEksRepo;
  effects: EksEffects;
  region: string;
  account: string;
  /** Base64 of the CA bundle clients verify the endpoint with (certificateAuthority.data). */
  caData: string;
  /** The stack's base URL (https://127.0.0.1:P); undefined takes it from each request's Host. */
  endpointBase?: () => string | undefined;
  /** SigV4 verification, access keys and the IAM and STS APIs. */
  aws: AwsAuth;
  ready?: () => boolean;
}

const NAMES_CACHE_MS = 2_000;

async function bytesOf(req: Request): Promise<Uint8Array> {
  if (req.method === "GET" || req.method === "HEAD") return new Uint8Array();
  return new Uint8Array(await req.arrayBuffer());
}

function callerOf(p: Principal) {
  return {
    arn: p.arn,
    account: p.account,
    userId: p.userId,
    principalType: p.type,
    ...(p.roleArn ? { roleArn: p.roleArn } : {}),
  };
}

export function createEdge(o: EdgeOptions): Hono {
  let names: { at: number; list: Promise<string[]> } | undefined;
  const clusterNames = () => {
    if (!names || Date.now() - names.at > NAMES_CACHE_MS)
      names = { at: Date.now(), list: o.store.listClusters().then((l) => l.map((c) => c.name)) };
    return names.list;
  };
  const secret = async (id: string) => {
    const c = await o.aws.lookup(id);
    return c.ok ? c.secret : undefined;
  };
  const resolver = new TokenClusterResolver(secret, clusterNames);
  const ctx: EksContext = {
    repo: o.repo,
    effects: o.effects,
    region: o.region,
    account: o.account,
    endpointBase: "",
    caData: o.caData,
  };
  const eks = createEksApp(ctx);
  const app = new Hono();

  const health = () =>
    o.ready && !o.ready() ? new Response("not ready", { status: 503 }) : new Response("ok");

  app.all("*", async (c) => {
    const req = c.req.raw;
    const url = new URL(req.url);
    const p = url.pathname;
    if (p === "/readyz" || p === "/healthz") return health();
    if (p === "/livez") return new Response("ok");
    ctx.endpointBase = o.endpointBase?.() ?? `${url.protocol}//${req.headers.get("host") ?? url.host}`;
    if (isQueryCall(req, url)) return o.aws.query(req, await bytesOf(req));
    if (isEksPath(req.method, p)) {
      const body = await bytesOf(req);
      const v = await o.aws.verify(req, body);
      if (!v.ok) return o.aws.eksError(v);
      const forwarded = new Request(req.url, {
        method: req.method,
        headers: req.headers,
        body: body.length > 0 ? body : undefined,
      });
      return eks.fetch(forwarded, { caller: callerOf(v.principal) });
    }
    if (p.startsWith("/clusters/")) return o.kube.fetch(req);
    // client-go sends some requests to the server's root, without the kubeconfig's path (kubectl get --raw):
    // the EKS token then says which cluster they are for.
    try {
      const cluster = await resolver.resolve(req.headers.get("authorization"));
      if (!cluster) throw new StatusError(401, "Unauthorized", "Unauthorized");
      const target = `${url.origin}/clusters/${encodeURIComponent(cluster)}${p}${url.search}`;
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      return o.kube.fetch(
        new Request(target, {
          method: req.method,
          headers: req.headers,
          body: hasBody ? req.body : undefined,
          signal: req.signal,
          ...(hasBody ? { duplex: "half" } : {}),
        } as RequestInit),
      );
    } catch (e) {
      return errorResponse(e instanceof StatusError ? e : errors.internal(String(e)), { path: p });
    }
  });
  return app;
}
