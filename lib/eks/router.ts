import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { isRegionName } from "../capacity/regions.ts";
import { log } from "../log.ts";
import { defaultCaller } from "./caller.ts";
import { EksError, eksErrors } from "./errors.ts";
import { clusterArn } from "./ids.ts";
import type { EksAuthorizer, Op, OpRequest } from "./op.ts";
import { associateAccessPolicy } from "./ops/associate-access-policy.ts";
import { listCapacityOfferings, updateCapacityOffering } from "./ops/capacity-offerings.ts";
import { createAccessEntry } from "./ops/create-access-entry.ts";
import { createAddon } from "./ops/create-addon.ts";
import { createCluster } from "./ops/create-cluster.ts";
import { createFargateProfile } from "./ops/create-fargate-profile.ts";
import { createNodegroup } from "./ops/create-nodegroup.ts";
import { createPodIdentityAssociation } from "./ops/create-pod-identity-association.ts";
import { deleteAccessEntry } from "./ops/delete-access-entry.ts";
import { deleteAddon } from "./ops/delete-addon.ts";
import { deleteCluster } from "./ops/delete-cluster.ts";
import { deleteFargateProfile } from "./ops/delete-fargate-profile.ts";
import { deleteNodegroup } from "./ops/delete-nodegroup.ts";
import { deletePodIdentityAssociation } from "./ops/delete-pod-identity-association.ts";
import { describeAccessEntry } from "./ops/describe-access-entry.ts";
import { describeAddon } from "./ops/describe-addon.ts";
import { describeAddonVersions } from "./ops/describe-addon-versions.ts";
import { describeCluster } from "./ops/describe-cluster.ts";
import { describeClusterVersions } from "./ops/describe-cluster-versions.ts";
import { describeFargateProfile } from "./ops/describe-fargate-profile.ts";
import { describeNodegroup } from "./ops/describe-nodegroup.ts";
import { describePodIdentityAssociation } from "./ops/describe-pod-identity-association.ts";
import { describeUpdate } from "./ops/describe-update.ts";
import { disassociateAccessPolicy } from "./ops/disassociate-access-policy.ts";
import { getClusterCost } from "./ops/get-cluster-cost.ts";
import { listAccessEntries } from "./ops/list-access-entries.ts";
import { listAccessPolicies } from "./ops/list-access-policies.ts";
import { listAddons } from "./ops/list-addons.ts";
import { listAssociatedAccessPolicies } from "./ops/list-associated-access-policies.ts";
import { listClusters } from "./ops/list-clusters.ts";
import { listFargateProfiles } from "./ops/list-fargate-profiles.ts";
import { listNodegroups } from "./ops/list-nodegroups.ts";
import { listPodIdentityAssociations } from "./ops/list-pod-identity-associations.ts";
import { listTagsForResource } from "./ops/list-tags-for-resource.ts";
import { listUpdates } from "./ops/list-updates.ts";
import { tagResource } from "./ops/tag-resource.ts";
import { untagResource } from "./ops/untag-resource.ts";
import { updateAccessEntry } from "./ops/update-access-entry.ts";
import { updateAddon } from "./ops/update-addon.ts";
import { updateClusterConfig } from "./ops/update-cluster-config.ts";
import { updateClusterVersion } from "./ops/update-cluster-version.ts";
import { updateNodegroupConfig } from "./ops/update-nodegroup-config.ts";
import { updateNodegroupVersion } from "./ops/update-nodegroup-version.ts";
import { updatePodIdentityAssociation } from "./ops/update-pod-identity-association.ts";
import type { Caller, EksContext } from "./repo.ts";

// The EKS control-plane API as a Hono sub-app (restJson1, eks-api.md). Routing is done here rather than by
// Hono's router because EKS labels are percent-encoded whole (an ARN in /tags/{resourceArn} arrives as
// arn%3Aaws%3Aeks%3A…%2F…): the raw path is split on "/" first and each segment decoded after.

interface Route {
  method: string;
  /** Literal segments, or ":label" for a path label. */
  pattern: string[];
  /** The IAM action the operation needs, `eks:<Operation>`: spelled out, as bundling may minify `op.name`. */
  action: string;
  op: Op;
}

const route = (method: string, path: string, operation: string, op: Op): Route => ({
  method,
  pattern: path.split("/").slice(1),
  action: `eks:${operation}`,
  op,
});

const ROUTES: Route[] = [
  route("POST", "/clusters", "CreateCluster", createCluster),
  route("GET", "/clusters", "ListClusters", listClusters),
  route("GET", "/clusters/:name", "DescribeCluster", describeCluster),
  route("DELETE", "/clusters/:name", "DeleteCluster", deleteCluster),
  route("POST", "/clusters/:name/updates", "UpdateClusterVersion", updateClusterVersion),
  route("GET", "/clusters/:name/updates", "ListUpdates", listUpdates),
  route("GET", "/clusters/:name/updates/:updateId", "DescribeUpdate", describeUpdate),
  route("POST", "/clusters/:name/update-config", "UpdateClusterConfig", updateClusterConfig),
  route("POST", "/clusters/:name/addons", "CreateAddon", createAddon),
  route("GET", "/clusters/:name/addons", "ListAddons", listAddons),
  route("GET", "/clusters/:name/addons/:addonName", "DescribeAddon", describeAddon),
  route("DELETE", "/clusters/:name/addons/:addonName", "DeleteAddon", deleteAddon),
  route("POST", "/clusters/:name/addons/:addonName/update", "UpdateAddon", updateAddon),
  route("POST", "/clusters/:name/node-groups", "CreateNodegroup", createNodegroup),
  route("GET", "/clusters/:name/node-groups", "ListNodegroups", listNodegroups),
  route("GET", "/clusters/:name/node-groups/:nodegroupName", "DescribeNodegroup", describeNodegroup),
  route("DELETE", "/clusters/:name/node-groups/:nodegroupName", "DeleteNodegroup", deleteNodegroup),
  route(
    "POST",
    "/clusters/:name/node-groups/:nodegroupName/update-config",
    "UpdateNodegroupConfig",
    updateNodegroupConfig,
  ),
  route(
    "POST",
    "/clusters/:name/node-groups/:nodegroupName/update-version",
    "UpdateNodegroupVersion",
    updateNodegroupVersion,
  ),
  route("POST", "/clusters/:name/fargate-profiles", "CreateFargateProfile", createFargateProfile),
  route("GET", "/clusters/:name/fargate-profiles", "ListFargateProfiles", listFargateProfiles),
  route(
    "GET",
    "/clusters/:name/fargate-profiles/:fargateProfileName",
    "DescribeFargateProfile",
    describeFargateProfile,
  ),
  route(
    "DELETE",
    "/clusters/:name/fargate-profiles/:fargateProfileName",
    "DeleteFargateProfile",
    deleteFargateProfile,
  ),
  route("POST", "/clusters/:name/access-entries", "CreateAccessEntry", createAccessEntry),
  route("GET", "/clusters/:name/access-entries", "ListAccessEntries", listAccessEntries),
  route("GET", "/clusters/:name/access-entries/:principalArn", "DescribeAccessEntry", describeAccessEntry),
  route("POST", "/clusters/:name/access-entries/:principalArn", "UpdateAccessEntry", updateAccessEntry),
  route("DELETE", "/clusters/:name/access-entries/:principalArn", "DeleteAccessEntry", deleteAccessEntry),
  route(
    "POST",
    "/clusters/:name/access-entries/:principalArn/access-policies",
    "AssociateAccessPolicy",
    associateAccessPolicy,
  ),
  route(
    "GET",
    "/clusters/:name/access-entries/:principalArn/access-policies",
    "ListAssociatedAccessPolicies",
    listAssociatedAccessPolicies,
  ),
  route(
    "DELETE",
    "/clusters/:name/access-entries/:principalArn/access-policies/:policyArn",
    "DisassociateAccessPolicy",
    disassociateAccessPolicy,
  ),
  route(
    "POST",
    "/clusters/:name/pod-identity-associations",
    "CreatePodIdentityAssociation",
    createPodIdentityAssociation,
  ),
  route(
    "GET",
    "/clusters/:name/pod-identity-associations",
    "ListPodIdentityAssociations",
    listPodIdentityAssociations,
  ),
  route(
    "GET",
    "/clusters/:name/pod-identity-associations/:associationId",
    "DescribePodIdentityAssociation",
    describePodIdentityAssociation,
  ),
  route(
    "POST",
    "/clusters/:name/pod-identity-associations/:associationId",
    "UpdatePodIdentityAssociation",
    updatePodIdentityAssociation,
  ),
  route(
    "DELETE",
    "/clusters/:name/pod-identity-associations/:associationId",
    "DeletePodIdentityAssociation",
    deletePodIdentityAssociation,
  ),
  route("GET", "/clusters/:name/cost", "GetClusterCost", getClusterCost),
  route("GET", "/clusters/:name/capacity/offerings", "ListCapacityOfferings", listCapacityOfferings),
  route("PUT", "/clusters/:name/capacity/offerings", "UpdateCapacityOffering", updateCapacityOffering),
  route("GET", "/access-policies", "ListAccessPolicies", listAccessPolicies),
  route("GET", "/cluster-versions", "DescribeClusterVersions", describeClusterVersions),
  route("GET", "/addons/supported-versions", "DescribeAddonVersions", describeAddonVersions),
  route("POST", "/tags/:resourceArn", "TagResource", tagResource),
  route("DELETE", "/tags/:resourceArn", "UntagResource", untagResource),
  route("GET", "/tags/:resourceArn", "ListTagsForResource", listTagsForResource),
];

/**
 * The ARN an operation is authorized on. Everything under /clusters/{name} (the cluster's own operations and
 * those of its add-ons, updates, access entries and pod identity associations) uses the cluster ARN, so the
 * cluster is the unit a policy grants. AWS names some of those sub-resources by their own ARNs
 * (addon/NAME/ADDON/UUID, access-entry/…/UUID), whose ids only the stored cluster knows: checking the cluster
 * ARN needs no read before the check, and a policy scoped to cluster/A still confines the caller to A. Tag
 * operations use the ARN they name; the account-wide lists and catalogs use `*`.
 */
function resourceOf(ctx: EksContext, r: Route, params: Record<string, string>, body: unknown): string {
  if (params.resourceArn !== undefined) return params.resourceArn;
  if (params.name !== undefined) return clusterArn(ctx, params.name);
  if (r.action === "eks:CreateCluster") {
    const name = (body as { name?: unknown }).name;
    // A missing name fails validation in the op; an unprivileged caller is told AccessDenied first.
    return clusterArn(ctx, typeof name === "string" ? name : "");
  }
  return "*";
}

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
  // Kumulus' extensions: what the cluster's capacity costs (ops/get-cluster-cost.ts), and the capacity knob
  // (ops/capacity-offerings.ts).
  "cost",
  "capacity",
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

function match(method: string, seg: string[]): { route: Route; params: Record<string, string> } | undefined {
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
    if (ok) return { route: r, params };
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

/**
 * What the edge passes as the Hono env after verifying SigV4: `eks.fetch(req, { caller, authorize })`.
 * Without an authorizer (unit tests, an edge that does not authenticate) every operation is allowed.
 */
export interface EksBindings {
  caller?: Caller;
  authorize?: EksAuthorizer;
}

/**
 * The request's region: the one its SigV4 credential scope names (`Credential=AKID/DATE/REGION/eks/…`), as each
 * EKS region is its own endpoint; the stack's region for anything else. The signature itself is the edge's to
 * check, so a scope that names another region changes only where the request acts, never who may act.
 */
function inSigningRegion(ctx: EksContext, req: Request): EksContext {
  const scope = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(req.headers.get("authorization") ?? "");
  const region = scope?.[1];
  return region && region !== ctx.region && isRegionName(region) ? { ...ctx, region } : ctx;
}

export function createEksApp(base: EksContext): Hono<{ Bindings: EksBindings }> {
  const app = new Hono<{ Bindings: EksBindings }>();
  app.all("*", async (c) => {
    const requestId = randomUUID();
    const url = new URL(c.req.url);
    try {
      const ctx = inSigningRegion(base, c.req.raw);
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
      const authorize = c.env?.authorize;
      if (authorize) {
        const verdict = await authorize(hit.route.action, resourceOf(ctx, hit.route, req.params, req.body));
        if (!verdict.allowed) throw eksErrors.accessDenied(verdict.message);
      }
      return respond(200, await hit.route.op(ctx, req), requestId);
    } catch (e) {
      if (e instanceof EksError) return respond(e.status, e.body(), requestId, e.code);
      log("error", "eks request failed", { method: c.req.method, path: url.pathname, error: String(e) });
      return respond(500, { message: "An internal error occurred" }, requestId, "ServerException");
    }
  });
  return app;
}
