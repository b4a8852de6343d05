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
    if (u) return u;
  }
  return undefined;
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
