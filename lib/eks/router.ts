import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { log } from "../log.ts";
import { defaultCaller } from "./caller.ts";
import { EksError } from "./errors.ts";
import type { Op, OpRequest } from "./op.ts";
import { associateAccessPolicy } from "./ops/associate-access-policy.ts";
import { createAccessEntry } from "./ops/create-access-entry.ts";
import { createAddon } from "./ops/create-addon.ts";
import { createCluster } from "./ops/create-cluster.ts";
import { createPodIdentityAssociation } from "./ops/create-pod-identity-association.ts";
import { deleteAccessEntry } from "./ops/delete-access-entry.ts";
import { deleteAddon } from "./ops/delete-addon.ts";
import { deleteCluster } from "./ops/delete-cluster.ts";
import { deletePodIdentityAssociation } from "./ops/delete-pod-identity-association.ts";
import { describeAccessEntry } from "./ops/describe-access-entry.ts";
import { describeAddon } from "./ops/describe-addon.ts";
import { describeAddonVersions } from "./ops/describe-addon-versions.ts";
import { describeCluster } from "./ops/describe-cluster.ts";
import { describeClusterVersions } from "./ops/describe-cluster-versions.ts";
import { describePodIdentityAssociation } from "./ops/describe-pod-identity-association.ts";
import { describeUpdate } from "./ops/describe-update.ts";
import { disassociateAccessPolicy } from "./ops/disassociate-access-policy.ts";
import { listAccessEntries } from "./ops/list-access-entries.ts";
import { listAccessPolicies } from "./ops/list-access-policies.ts";
import { listAddons } from "./ops/list-addons.ts";
import { listAssociatedAccessPolicies } from "./ops/list-associated-access-policies.ts";
import { listClusters } from "./ops/list-clusters.ts";
import { listPodIdentityAssociations } from "./ops/list-pod-identity-associations.ts";
import { listTagsForResource } from "./ops/list-tags-for-resource.ts";
import { listUpdates } from "./ops/list-updates.ts";
import { tagResource } from "./ops/tag-resource.ts";
import { untagResource } from "./ops/untag-resource.ts";
import { updateAccessEntry } from "./ops/update-access-entry.ts";
import { updateAddon } from "./ops/update-addon.ts";
import { updateClusterConfig } from "./ops/update-cluster-config.ts";
import { updateClusterVersion } from "./ops/update-cluster-version.ts";
import { updatePodIdentityAssociation } from "./ops/update-pod-identity-association.ts";
import type { Caller, EksContext } from "./repo.ts";

// The EKS control-plane API as a Hono sub-app (restJson1, eks-api.md). Routing is done here rather than by
// Hono's router because EKS labels are percent-encoded whole (an ARN in /tags/{resourceArn} arrives as
// arn%3Aaws%3Aeks%3A…%2F…): the raw path is split on "/" first and each segment decoded after.

interface Route {
  method: string;
  /** Literal segments, or ":label" for a path label. */
  pattern: string[];
  op: Op;
}

const route = (method: string, path: string, op: Op): Route => ({
  method,
  pattern: path.split("/").slice(1),
  op,
});

const ROUTES: Route[] = [
  route("POST", "/clusters", createCluster),
  route("GET", "/clusters", listClusters),
  route("GET", "/clusters/:name", describeCluster),
  route("DELETE", "/clusters/:name", deleteCluster),
  route("POST", "/clusters/:name/updates", updateClusterVersion),
  route("GET", "/clusters/:name/updates", listUpdates),
  route("GET", "/clusters/:name/updates/:updateId", describeUpdate),
  route("POST", "/clusters/:name/update-config", updateClusterConfig),
  route("POST", "/clusters/:name/addons", createAddon),
  route("GET", "/clusters/:name/addons", listAddons),
  route("GET", "/clusters/:name/addons/:addonName", describeAddon),
  route("DELETE", "/clusters/:name/addons/:addonName", deleteAddon),
  route("POST", "/clusters/:name/addons/:addonName/update", updateAddon),
  route("POST", "/clusters/:name/access-entries", createAccessEntry),
  route("GET", "/clusters/:name/access-entries", listAccessEntries),
  route("GET", "/clusters/:name/access-entries/:principalArn", describeAccessEntry),
  route("POST", "/clusters/:name/access-entries/:principalArn", updateAccessEntry),
  route("DELETE", "/clusters/:name/access-entries/:principalArn", deleteAccessEntry),
  route("POST", "/clusters/:name/access-entries/:principalArn/access-policies", associateAccessPolicy),
  route("GET", "/clusters/:name/access-entries/:principalArn/access-policies", listAssociatedAccessPolicies),
  route(
    "DELETE",
    "/clusters/:name/access-entries/:principalArn/access-policies/:policyArn",
    disassociateAccessPolicy,
  ),
  route("POST", "/clusters/:name/pod-identity-associations", createPodIdentityAssociation),
  route("GET", "/clusters/:name/pod-identity-associations", listPodIdentityAssociations),
  route("GET", "/clusters/:name/pod-identity-associations/:associationId", describePodIdentityAssociation),
  route("POST", "/clusters/:name/pod-identity-associations/:associationId", updatePodIdentityAssociation),
  route("DELETE", "/clusters/:name/pod-identity-associations/:associationId", deletePodIdentityAssociation),
  route("GET", "/access-policies", listAccessPolicies),
  route("GET", "/cluster-versions", describeClusterVersions),
  route("GET", "/addons/supported-versions", describeAddonVersions),
  route("POST", "/tags/:resourceArn", tagResource),
  route("DELETE", "/tags/:resourceArn", untagResource),
  route("GET", "/tags/:resourceArn", listTagsForResource),
];

/**
 * The names EKS uses below /clusters/{name}. Everything else there (api, apis, version, openapi, healthz,
 * livez, readyz, metrics, logs, .well-known…) belongs to the cluster's Kubernetes API. Sub-resources this
 * router does not implement yet still count as EKS, so they get an AWS-shaped 404 rather than a Kubernetes one.
 */
const EKS_SUBRESOURCES = new Set([
  "updates",
  "update-config",
  "addons",
  "node-groups",
  "fargate-profiles",
  "access-entries",
  "identity-provider-configs",
  "encryption-config",
  "pod-identity-associations",
  "insights",
  "capabilities",
  "update-version",
]);
const EKS_ROOTS = new Set(["cluster-versions", "addons", "tags", "access-policies", "cluster-registrations"]);

/** The raw path split on "/", each segment percent-decoded; undefined for an undecodable segment. */
export function pathSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split("/").slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** Whether a request for this path goes to the EKS API (true) or to a cluster's Kubernetes API (false). */
export function isEksPath(_method: string, pathname: string): boolean {
  const seg = pathname.split("/").slice(1);
  if (seg.length === 0) return false;
  if (EKS_ROOTS.has(seg[0])) return true;
  if (seg[0] !== "clusters") return false;
  if (seg.length === 1) return true;
  if (seg.length === 2) return seg[1] !== "";
  return EKS_SUBRESOURCES.has(seg[2]);
}

function match(method: string, seg: string[]): { op: Op; params: Record<string, string> } | undefined {
  for (const r of ROUTES) {
    if (r.method !== method || r.pattern.length !== seg.length) continue;
    const params: Record<string, string> = {};
    const ok = r.pattern.every((p, i) => {
      if (p.startsWith(":")) {
        params[p.slice(1)] = seg[i];
        return seg[i] !== "";
      }
      return p === seg[i];
    });
    if (ok) return { op: r.op, params };
  }
  return undefined;
}

function queryOf(url: URL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (out[k] ??= []).push(v);
  return out;
}

async function bodyOf(req: Request): Promise<unknown> {
  if (req.method === "GET" || req.method === "DELETE" || req.method === "HEAD") return {};
  const text = await req.text();
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new EksError(
      "SerializationException",
      `Could not parse the request body as JSON: ${(e as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new EksError("SerializationException", "The request body must be a JSON object");
  return parsed;
}

function respond(status: number, body: unknown, requestId: string, errorType?: string): Response {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-amzn-RequestId": requestId,
  };
  if (errorType) headers["x-amzn-ErrorType"] = errorType;
  return new Response(JSON.stringify(body), { status, headers });
}

/** What the edge passes as the Hono env: `eks.fetch(req, { caller })`, after verifying SigV4. */
export interface EksBindings {
  caller?: Caller;
}

export function createEksApp(ctx: EksContext): Hono<{ Bindings: EksBindings }> {
  const app = new Hono<{ Bindings: EksBindings }>();
  app.all("*", async (c) => {
    const requestId = randomUUID();
    const url = new URL(c.req.url);
    try {
      const seg = pathSegments(url.pathname);
      const hit = seg && match(c.req.method, seg);
      if (!hit)
        throw new EksError("NotFoundException", `No EKS operation for ${c.req.method} ${url.pathname}`);
      const req: OpRequest = {
        params: hit.params,
        query: queryOf(url),
        body: await bodyOf(c.req.raw),
        caller: c.env?.caller ?? defaultCaller(ctx),
      };
      return respond(200, await hit.op(ctx, req), requestId);
    } catch (e) {
      if (e instanceof EksError) return respond(e.status, e.body(), requestId, e.code);
      log("error", "eks request failed", { method: c.req.method, path: url.pathname, error: String(e) });
      return respond(500, { message: "An internal error occurred" }, requestId, "ServerException");
    }
  });
  return app;
}
