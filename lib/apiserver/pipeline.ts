import { errors } from "../api/status.ts";
import type { UserInfo } from "./context.ts";

// Authentication and authorization are pluggable steps of the request pipeline. The roadmap adds
// aws-iam-authenticator tokens, service-account tokens and RBAC here; until then every request is the
// cluster admin, which is why the local stack binds to 127.0.0.1 only.

export interface RequestAttributes {
  cluster: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path: string;
}

/** Returns the user, `undefined` to let the next authenticator try, or throws a 401 StatusError. */
export type Authenticator = (req: Request, cluster: string) => Promise<UserInfo | undefined>;
/** Returns "allow", "deny" (with a reason) or "noOpinion" to let the next authorizer decide. */
export type Authorizer = (
  user: UserInfo,
  attrs: RequestAttributes,
) => Promise<{ decision: "allow" | "deny" | "noOpinion"; reason?: string }>;

const anonymousAdmin: Authenticator = async () => ({
  username: "kubernetes-admin",
  groups: ["system:masters", "system:authenticated"],
});
const mastersAllowed: Authorizer = async (user) =>
  user.groups.includes("system:masters") ? { decision: "allow" } : { decision: "noOpinion" };

export const authenticators: Authenticator[] = [anonymousAdmin];
export const authorizers: Authorizer[] = [mastersAllowed];

export async function authenticate(req: Request, cluster: string): Promise<UserInfo | undefined> {
  for (const a of authenticators) {
    const u = await a(req, cluster);
    if (u) return impersonate(req, cluster, u);
  }
  return undefined;
}

/**
 * `kubectl --as/--as-group` send Impersonate-* headers: the request then acts as that user, provided the
 * authenticated user may `impersonate` them (kube's impersonation filter, after authentication).
 */
async function impersonate(req: Request, cluster: string, user: UserInfo): Promise<UserInfo> {
  const name = req.headers.get("impersonate-user");
  const groups = (req.headers.get("impersonate-group") ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);
  if (!name) {
    if (groups.length > 0) throw errors.badRequest("impersonating groups requires impersonating a user");
    return user;
  }
  const targets: [string, string][] = [
    ["users", name],
    ...groups.map((g): [string, string] => ["groups", g]),
  ];
  for (const [resource, target] of targets)
    await authorizeOrThrow(user, {
      cluster,
      verb: "impersonate",
      group: "",
      resource,
      name: target,
      path: "",
    });

  const all = name.startsWith("system:serviceaccount:")
    ? ["system:serviceaccounts", `system:serviceaccounts:${name.split(":")[2]}`]
    : [];
  return { username: name, groups: [...new Set([...groups, ...all, "system:authenticated"])] };
}

export async function authorize(
  user: UserInfo,
  attrs: RequestAttributes,
): Promise<{ allowed: boolean; reason?: string }> {
  for (const a of authorizers) {
    const r = await a(user, attrs);
    if (r.decision === "allow") return { allowed: true };
    if (r.decision === "deny") return { allowed: false, reason: r.reason };
  }
  return { allowed: false };
}

/** Authorizes, or throws kube's 403 wording: `pods "p" is forbidden: User "u" cannot get resource ...`. */
export async function authorizeOrThrow(user: UserInfo, attrs: RequestAttributes): Promise<void> {
  const d = await authorize(user, attrs);
  if (d.allowed) return;
  const qualified = `${attrs.resource}${attrs.group ? `.${attrs.group}` : ""}`;
  const resource = `${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ""}`;
  const scope = attrs.namespace ? ` in the namespace "${attrs.namespace}"` : " at the cluster scope";
  throw errors.forbidden(
    `${qualified}${attrs.name ? ` "${attrs.name}"` : ""} is forbidden: User "${user.username}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}"${scope}${d.reason ? `: ${d.reason}` : ""}`,
  );
}

/** The Kubernetes verb of a resource request. */
export function verbOf(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case "GET":
      return watch ? "watch" : hasName ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return hasName ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}
