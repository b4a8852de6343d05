import { errors, StatusError } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import type { UserInfo } from "../api/user.ts";
import { type AccessGrant, accessPoliciesAllow } from "../identity/access-policies.ts";
import {
  authorizeNode,
  type NodeDecision,
  type NodeFacts,
  type NodeRequest,
  nodeNameOf,
  restrictNode,
} from "../identity/node-authorizer.ts";
import { defaultStore } from "../runtime/store.ts";
import type { Store } from "../store/store.ts";
import { decodeBody, readBody } from "./body.ts";

// Authentication and authorization, kube's filter chain: authenticators turn a request's credential into a
// user (or refuse it with 401), impersonation swaps that user when allowed, then authorizers are asked in
// order until one allows or denies: the Node authorizer (with NodeRestriction's checks of a node's own
// writes, which kube makes at admission), system:masters, public info, EKS access policies, then whatever
// the builder of the API server plugs in (RBAC). The edge plugs in IAM tokens and service-account tokens.
//
// Control loops in this process act as their kube identities, handed over out of band (Hono's env of the
// in-process request): no header, token or path a remote caller sends can produce an internal identity. They
// get no rights for being internal: RBAC and the Node authorizer decide for them as for anyone.

export interface RequestAttributes {
  cluster: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The request path for non-resource requests (resource is then ""). */
  path: string;
}

/** A request's authenticated caller, with whatever its authenticator learned that authorizers use. */
export interface Caller {
  user: UserInfo;
  /** An in-process control loop (never set for a request from the network). */
  internal?: boolean;
  /** EKS access policies of the caller's access entry; impersonation drops them, as on EKS. */
  grants?: readonly AccessGrant[];
  /**
   * The request the caller was authenticated from: NodeRestriction reads the object a node's write
   * submits. Absent for the subject of an access review.
   */
  request?: Request;
}

/** Reads stored objects for the Node authorizer (a pod's binding, a volume's claim, a namespace's pods). */
export interface ObjectReader {
  get(
    cluster: string,
    group: string,
    plural: string,
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined>;
  list(cluster: string, group: string, plural: string, namespace: string): Promise<KubeObject[]>;
}

export function storeReader(store: Store): ObjectReader {
  return {
    get: (cluster, group, plural, namespace, name) => store.get({ cluster, group, plural, namespace, name }),
    list: async (cluster, group, plural, namespace) =>
      store.listItems({ cluster, group, plural }, { namespace }),
  };
}

/** Returns the caller, `undefined` to let the next authenticator try, or throws a 401 StatusError. */
export type Authenticator = (req: Request, cluster: string) => Promise<Caller | undefined>;
/** Returns "allow", "deny" (with a reason) or "noOpinion" to let the next authorizer decide. */
export type Authorizer = (
  caller: Caller,
  attrs: RequestAttributes,
) => Promise<{ decision: "allow" | "deny" | "noOpinion"; reason?: string }>;

/** What SelfSubjectRulesReview answers for a user in a namespace. */
export type RulesResolver = (caller: Caller, cluster: string, namespace: string) => Promise<unknown>;

/** Paths system:public-info-viewer opens to anyone: kube's anonymous requests reach only these. */
const PUBLIC_PATHS = new Set(["/version", "/version/", "/healthz", "/readyz", "/livez"]);

export const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };

/** Env key of the in-process identity (see above). */
export const INTERNAL_USER = "kumulusInternalUser";

/** kube's system:public-info-viewer, bound to everyone (authenticated or not). */
const publicInfo: Authorizer = async (_caller, attrs) =>
  !attrs.resource && attrs.verb === "get" && PUBLIC_PATHS.has(attrs.path)
    ? { decision: "allow" }
    : { decision: "noOpinion" };
const mastersAllowed: Authorizer = async (caller) =>
  caller.user.groups.includes("system:masters") ? { decision: "allow" } : { decision: "noOpinion" };
/** EKS evaluates the access policies of the caller's access entry before RBAC. */
const accessPolicies: Authorizer = async (caller, attrs) =>
  caller.grants && accessPoliciesAllow(caller.grants, attrs)
    ? { decision: "allow" }
    : { decision: "noOpinion" };

export function unauthorized(): StatusError {
  return new StatusError(401, "Unauthorized", "Unauthorized");
}

/** The object a request submits (its decoded body), or null when it has none that decodes. */
async function submittedObject(req: Request): Promise<KubeObject | null> {
  try {
    const bytes = await readBody(req.clone());
    const obj = decodeBody(bytes, req.headers.get("content-type") ?? "");
    return obj && typeof obj === "object" && typeof obj.metadata === "object" ? (obj as KubeObject) : null;
  } catch {
    return null; // the handler reports what is wrong with the body
  }
}

/** Whether `attrs` describe the caller's own request (not a review asking about another one). */
function isOwnRequest(caller: Caller, attrs: RequestAttributes): boolean {
  if (!caller.request || !attrs.path) return false;
  return new URL(caller.request.url).pathname.endsWith(attrs.path);
}

/**
 * kube's Node authorizer for users in system:nodes, then (for the request itself) NodeRestriction. The pure
 * checks ask for what they need; each fact costs at most one read: the submitted body (parsed again, no
 * I/O), the stored object (one GetItem: pod deletes and evictions, status patches, volume reads) or the
 * pods of one namespace (one Query: secret, configmap and claim reads, which the simulated kubelet never
 * makes).
 */
function nodeAuthorizer(objects: () => ObjectReader): Authorizer {
  return async (caller, attrs) => {
    const node = nodeNameOf(caller.user);
    if (node === undefined) return { decision: "noOpinion" };
    const r: NodeRequest = attrs;
    const facts: NodeFacts = {};
    const decide = async (check: (f: NodeFacts) => NodeDecision) => {
      // A check asks for at most three facts (a volume: itself, then its claim's pods).
      for (let asked = 0; asked < 4; asked++) {
        const d = check(facts);
        if (d.decision !== "needs") return d;
        if (d.fact === "boundPods") {
          const pods = await objects().list(attrs.cluster, "", "pods", d.namespace);
          facts.boundPods = pods.filter(
            (p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === node,
          );
          facts.boundPodsNamespace = d.namespace;
        } else if (d.fact === "submitted")
          facts.submitted = caller.request ? await submittedObject(caller.request) : null;
        else
          facts.stored =
            (await objects().get(
              attrs.cluster,
              attrs.group,
              attrs.resource,
              attrs.namespace ?? "",
              attrs.name ?? "",
            )) ?? null;
      }
      return { decision: "noOpinion" as const, reason: "the node checks did not settle" };
    };
    const authz = await decide((f) => authorizeNode(node, r, f));
    if (authz.decision !== "allow" || !isOwnRequest(caller, attrs)) return authz;
    return decide((f) => restrictNode(node, r, f));
  };
}

export class AuthPipeline {
  private readonly authorizers: Authorizer[];

  /**
   * `objects` reads what the Node authorizer needs; by default this process's store. The Node authorizer
   * goes first, so NodeRestriction's denials hold whatever else would allow.
   */
  constructor(
    private readonly authenticators: Authenticator[] = [],
    authorizers: Authorizer[] = [],
    private readonly rules?: RulesResolver,
    objects?: ObjectReader,
  ) {
    let reader = objects;
    const lazyObjects = () => {
      reader ??= storeReader(defaultStore());
      return reader;
    };
    this.authorizers = [
      nodeAuthorizer(lazyObjects),
      mastersAllowed,
      publicInfo,
      accessPolicies,
      ...authorizers,
    ];
  }

  /**
   * The caller of `req`: the in-process identity, else the first authenticator's answer, else anonymous when
   * the request carries no credential at all and asks for a public path. Anything else is 401.
   */
  async authenticate(req: Request, cluster: string, env: unknown, path: string): Promise<Caller> {
    const internal = (env as Record<string, unknown> | undefined)?.[INTERNAL_USER] as UserInfo | undefined;
    // A new object: authenticators may hand out cached callers, and the request is this request's alone.
    if (internal)
      return { ...(await this.impersonate(req, cluster, { user: internal, internal: true })), request: req };
    for (const a of this.authenticators) {
      const c = await a(req, cluster);
      if (c) return { ...(await this.impersonate(req, cluster, c)), request: req };
    }
    if (!req.headers.get("authorization") && PUBLIC_PATHS.has(path)) return { user: ANONYMOUS, request: req };
    throw unauthorized();
  }

  /**
   * `kubectl --as/--as-group` send Impersonate-* headers: the request then acts as that user, provided the
   * authenticated caller may `impersonate` them (kube's impersonation filter, after authentication).
   */
  private async impersonate(req: Request, cluster: string, caller: Caller): Promise<Caller> {
    const name = req.headers.get("impersonate-user");
    const groups = (req.headers.get("impersonate-group") ?? "")
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean);
    if (!name) {
      if (groups.length > 0) throw errors.badRequest("impersonating groups requires impersonating a user");
      return caller;
    }
    const targets: [string, string][] = [
      ["users", name],
      ...groups.map((g): [string, string] => ["groups", g]),
    ];
    for (const [resource, target] of targets)
      await this.authorizeOrThrow(caller, {
        cluster,
        verb: "impersonate",
        group: "",
        resource,
        name: target,
        path: "",
      });
    const sa = name.startsWith("system:serviceaccount:")
      ? ["system:serviceaccounts", `system:serviceaccounts:${name.split(":")[2]}`]
      : [];
    // The impersonated user is an ordinary user: no in-process rights, no EKS access policies.
    return { user: { username: name, groups: [...new Set([...groups, ...sa, "system:authenticated"])] } };
  }

  async authorize(caller: Caller, attrs: RequestAttributes): Promise<{ allowed: boolean; reason?: string }> {
    const reasons: string[] = [];
    for (const a of this.authorizers) {
      const r = await a(caller, attrs);
      if (r.decision === "allow") return { allowed: true };
      if (r.decision === "deny") return { allowed: false, reason: r.reason };
      if (r.reason) reasons.push(r.reason);
    }
    return { allowed: false, ...(reasons.length > 0 ? { reason: reasons.join(", ") } : {}) };
  }

  /** Authorizes, or throws kube's 403 wording: `pods "p" is forbidden: User "u" cannot get resource ...`. */
  async authorizeOrThrow(caller: Caller, attrs: RequestAttributes): Promise<void> {
    const d = await this.authorize(caller, attrs);
    if (d.allowed) return;
    const who = `User "${caller.user.username}"`;
    const why = d.reason ? `: ${d.reason}` : "";
    if (!attrs.resource) {
      throw errors.forbidden(`forbidden: ${who} cannot ${attrs.verb} path "${attrs.path}"${why}`);
    }
    const qualified = `${attrs.resource}${attrs.group ? `.${attrs.group}` : ""}`;
    const resource = `${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ""}`;
    const scope = attrs.namespace ? ` in the namespace "${attrs.namespace}"` : " at the cluster scope";
    throw errors.forbidden(
      `${qualified}${attrs.name ? ` "${attrs.name}"` : ""} is forbidden: ${who} cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}"${scope}${why}`,
      { group: attrs.group, plural: attrs.resource },
      attrs.name,
    );
  }

  async rulesFor(caller: Caller, cluster: string, namespace: string): Promise<unknown> {
    if (caller.user.groups.includes("system:masters"))
      return {
        resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
        nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
        incomplete: false,
      };
    if (!this.rules) return { resourceRules: [], nonResourceRules: [], incomplete: true };
    const rules = (await this.rules(caller, cluster, namespace)) as Record<string, unknown>;
    // kube's Node authorizer cannot list what it allows: a node's rules are incomplete.
    return nodeNameOf(caller.user) === undefined ? rules : { ...rules, incomplete: true };
  }
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

/** The verb of a non-resource request (kube: lower-cased HTTP method, GET → get). */
export function nonResourceVerb(method: string): string {
  return method === "HEAD" ? "get" : method.toLowerCase();
}
