import { Hono } from "hono";
import { errors, StatusError } from "../api/status.ts";
import { errorResponse } from "../apiserver/app.ts";
import { oidcResponse } from "../apiserver/oidc.ts";
import type { DynamoEksRepo } from "../eks/dynamo-repo.ts";
import type { EksContext, EksEffects } from "../eks/repo.ts";
import { createEksApp, isEksPath } from "../eks/router.ts";
import type { Principal } from "../identity/iam/credentials.ts";
import { TokenClusterResolver } from "../identity/token-cluster.ts";
import type { Store } from "../store/store.ts";
import { type AwsAuth, isQueryCall } from "./aws-auth.ts";
import { assumeRoleForPodIdentity, type PodIdentityDeps, podIdentityCluster } from "./pod-identity-auth.ts";
import type { ClusterIssuers } from "./sa-issuers.ts";

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
  /** Service-account issuers, for the clusters' OIDC discovery documents. */
  issuers?: ClusterIssuers;
  /** What the EKS Auth API's AssumeRoleForPodIdentity needs. */
  podIdentity?: PodIdentityDeps;
  ready?: () => boolean;
}

const NAMES_CACHE_MS = 2_000;

async function bytesOf(req: Request): Promise<Uint8Array> {
  if (req.method === "GET" || req.method === "HEAD") return new Uint8Array();
  return new Uint8Array(await req.arrayBuffer());
}

function authError(status: number, type: string, message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: { "content-type": "application/json", "x-amzn-ErrorType": type },
  });
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
    // Each cluster's OIDC issuer, public as EKS's is: what STS and other relying parties read.
    const oidc = /^\/oidc\/id\/([0-9A-F]{32})(\/.*)$/.exec(p);
    if (oidc && o.issuers && (req.method === "GET" || req.method === "HEAD")) {
      const found = await o.issuers.byId(oidc[1], ctx.endpointBase);
      const res = found && oidcResponse(oidc[2], found);
      return res ?? errorResponse(errors.pathNotFound(p), { path: p });
    }
    if (isQueryCall(req, url)) return o.aws.query(req, await bytesOf(req));
    const podCluster = o.podIdentity && podIdentityCluster(req.method, p);
    if (podCluster && o.podIdentity) {
      const body = await bytesOf(req);
      const v = await o.aws.verify(req, body);
      if (!v.ok) return o.aws.eksError(v);
      const arn = `arn:aws:eks:${o.region}:${o.account}:cluster/${podCluster}`;
      const allowed = await o.aws.eksAuthorizer(v.principal)("eks-auth:AssumeRoleForPodIdentity", arn);
      if (!allowed.allowed) return authError(403, "AccessDeniedException", allowed.message);
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(body) || "{}");
      } catch {
        return authError(400, "SerializationException", "The request body is not valid JSON.");
      }
      return assumeRoleForPodIdentity(o.podIdentity, podCluster, ctx.endpointBase, parsed);
    }
    if (isEksPath(req.method, p)) {
      const body = await bytesOf(req);
      const v = await o.aws.verify(req, body);
      if (!v.ok) return o.aws.eksError(v);
      const forwarded = new Request(req.url, {
        method: req.method,
        headers: req.headers,
        body: body.length > 0 ? body : undefined,
      });
      return eks.fetch(forwarded, {
        caller: callerOf(v.principal),
        authorize: o.aws.eksAuthorizer(v.principal),
      });
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
