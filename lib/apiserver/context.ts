import { errors } from "../api/status.ts";
import type { KindInfo, KubeObject } from "../api/types.ts";
import { apiVersionOf } from "../api/types.ts";
import type { UserInfo } from "../api/user.ts";
import type { ObjectKey } from "../store/keys.ts";
import type { KindRegistry } from "../store/kind-registry.ts";
import type { Store } from "../store/store.ts";
import type { ResourcePath } from "./path.ts";
import type { ServiceAccountIssuer } from "./service-accounts.ts";

export type { UserInfo };

/** One resource request, after routing, authentication and authorization. */
export interface ResourceContext {
  cluster: string;
  store: Store;
  registry: KindRegistry;
  kind: KindInfo;
  path: ResourcePath;
  method: string;
  query: URLSearchParams;
  headers: Headers;
  request: Request;
  user: UserInfo;
  /** The cluster's service CIDR (EKS serviceIpv4Cidr), from which ClusterIPs are allocated. */
  serviceCidr?: string;
  /** Issuers and keys of service-account tokens (absent in the in-process server the loops use). */
  serviceAccounts?: ServiceAccountIssuer;
  /** The stack's AWS region (what EKS's webhooks put in pods). */
  region?: string;
  /** Values for the Warning response header. */
  warnings: string[];
  signal: AbortSignal;
}

export function objectKey(
  ctx: ResourceContext,
  name: string,
  namespace = ctx.path.namespace ?? "",
): ObjectKey {
  return {
    cluster: ctx.cluster,
    group: ctx.kind.group,
    plural: ctx.kind.plural,
    namespace: ctx.kind.namespaced ? namespace : "",
    name,
  };
}

export function resourceOf(ctx: ResourceContext) {
  return { group: ctx.kind.group, plural: ctx.kind.plural, kind: ctx.kind.kind };
}

export function isDryRun(ctx: ResourceContext): boolean {
  const values = ctx.query.getAll("dryRun");
  for (const v of values) {
    if (v !== "All") throw errors.badRequest(`Invalid dry run value: ${v}: supported values: "All"`);
  }
  return values.length > 0;
}

/** The field manager named by the request, or one derived from the user agent as the apiserver does. */
export function fieldManager(ctx: ResourceContext): string {
  const fm = ctx.query.get("fieldManager");
  if (fm) {
    if (fm.length > 128) throw errors.badRequest("fieldManager: Too long: must have at most 128 bytes");
    return fm;
  }
  const ua = ctx.headers.get("user-agent") ?? "unknown";
  return ua.split("/")[0] || "unknown";
}

/** Objects are served with the version the request addressed (CRDs may serve several versions of one kind). */
export function asServed(ctx: ResourceContext, obj: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(ctx.kind);
  if (obj.apiVersion === apiVersion && obj.kind === ctx.kind.kind) return obj;
  return { ...obj, apiVersion, kind: ctx.kind.kind };
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}
