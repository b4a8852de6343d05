import { errors, StatusError } from "../api/status.ts";
import type { JsonObject } from "../api/types.ts";
import { decodeBody, readBody } from "./body.ts";
import { json } from "./handlers/write.ts";
import type { ResourcePath } from "./path.ts";
import type { AuthPipeline, Caller, RequestAttributes } from "./pipeline.ts";

// The review APIs ask the request pipeline a question instead of storing an object: `kubectl auth can-i`
// (SelfSubjectAccessReview, SelfSubjectRulesReview), `kubectl auth whoami` (SelfSubjectReview) and the
// SubjectAccessReviews that webhooks and controllers send. They answer from the same pluggable authenticators
// and authorizers every request goes through, so they stay true when RBAC and IAM mapping are plugged in.

export const REVIEW_GROUPS = new Set(["authorization.k8s.io", "authentication.k8s.io"]);

const REVIEWS: Record<string, { group: string; kind: string; namespaced?: boolean }> = {
  selfsubjectaccessreviews: { group: "authorization.k8s.io", kind: "SelfSubjectAccessReview" },
  subjectaccessreviews: { group: "authorization.k8s.io", kind: "SubjectAccessReview" },
  localsubjectaccessreviews: {
    group: "authorization.k8s.io",
    kind: "LocalSubjectAccessReview",
    namespaced: true,
  },
  selfsubjectrulesreviews: { group: "authorization.k8s.io", kind: "SelfSubjectRulesReview" },
  selfsubjectreviews: { group: "authentication.k8s.io", kind: "SelfSubjectReview" },
  tokenreviews: { group: "authentication.k8s.io", kind: "TokenReview" },
};

interface AccessSpec {
  resourceAttributes?: {
    namespace?: string;
    verb?: string;
    group?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  namespace?: string;
}

export async function handleReview(
  req: Request,
  auth: AuthPipeline,
  caller: Caller,
  cluster: string,
  path: ResourcePath,
  rest: string,
): Promise<Response> {
  const review = REVIEWS[path.plural];
  if (!review || review.group !== path.group || path.version !== "v1" || path.name)
    throw errors.pathNotFound(rest);
  if (Boolean(review.namespaced) !== (path.namespace !== undefined)) throw errors.pathNotFound(rest);
  if (req.method !== "POST")
    throw errors.methodNotAllowed("the server does not allow this method on the requested resource");
  const user = caller.user;
  const body = decodeBody(await readBody(req), req.headers.get("content-type") ?? "") as JsonObject & {
    kind?: string;
    spec?: AccessSpec;
  };
  if (body.kind && body.kind !== review.kind)
    throw errors.badRequest(`the body is a ${String(body.kind)}, expected ${review.kind}`);
  // Asking about someone else is itself a request that must be allowed.
  if (
    review.kind === "SubjectAccessReview" ||
    review.kind === "LocalSubjectAccessReview" ||
    review.kind === "TokenReview"
  ) {
    await auth.authorizeOrThrow(caller, {
      cluster,
      verb: "create",
      group: review.group,
      resource: path.plural,
      namespace: path.namespace,
      path: rest,
    });
  }
  const spec = body.spec ?? {};
  const out = {
    apiVersion: `${review.group}/v1`,
    kind: review.kind,
    metadata: { creationTimestamp: null },
    spec: body.spec,
    status: {} as JsonObject,
  };
  switch (review.kind) {
    case "SelfSubjectReview":
      out.status = {
        userInfo: {
          username: user.username,
          ...(user.uid ? { uid: user.uid } : {}),
          groups: user.groups,
          ...(user.extra ? { extra: user.extra } : {}),
        },
      };
      delete out.spec;
      break;
    case "TokenReview":
      out.status = await tokenReview(auth, cluster, (body.spec as { token?: unknown } | undefined)?.token);
      break;
    case "SelfSubjectRulesReview":
      out.status = (await auth.rulesFor(caller, cluster, spec.namespace ?? "")) as JsonObject;
      break;
    default: {
      const subject: Caller =
        review.kind === "SelfSubjectAccessReview"
          ? caller
          : { user: { username: spec.user ?? "", groups: spec.groups ?? [] } };
      if (review.kind === "LocalSubjectAccessReview" && spec.resourceAttributes)
        spec.resourceAttributes.namespace = path.namespace;
      const decision = await auth.authorize(subject, attributesOf(cluster, spec));
      out.status = decision.allowed
        ? { allowed: true }
        : { allowed: false, ...(decision.reason ? { reason: decision.reason } : {}) };
    }
  }
  return json(out, 201);
}

/** Who a bearer token authenticates as at this cluster, as kube's TokenReview answers (webhook token auth). */
async function tokenReview(auth: AuthPipeline, cluster: string, token: unknown): Promise<JsonObject> {
  if (typeof token !== "string" || token === "")
    throw errors.invalid("TokenReview", "authentication.k8s.io", "", [
      { type: "FieldValueRequired", field: "spec.token", message: "Required value" },
    ]);
  const req = new Request(`http://internal/clusters/${encodeURIComponent(cluster)}/api`, {
    headers: { authorization: `Bearer ${token}` },
  });
  try {
    const { user } = await auth.authenticate(req, cluster, undefined, "/api");
    return {
      authenticated: true,
      user: {
        username: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        groups: user.groups,
        ...(user.extra ? { extra: user.extra } : {}),
      },
      audiences: ["https://kubernetes.default.svc"],
    };
  } catch (e) {
    if (e instanceof StatusError && e.code === 401)
      return { authenticated: false, error: "invalid bearer token" };
    throw e;
  }
}

function attributesOf(cluster: string, spec: AccessSpec): RequestAttributes {
  const r = spec.resourceAttributes;
  if (r)
    return {
      cluster,
      verb: r.verb ?? "",
      group: r.group ?? "",
      resource: r.resource ?? "",
      subresource: r.subresource || undefined,
      namespace: r.namespace || undefined,
      name: r.name || undefined,
      path: "",
    };
  const n = spec.nonResourceAttributes;
  if (!n) throw errors.badRequest("spec.resourceAttributes or spec.nonResourceAttributes is required");
  return { cluster, verb: n.verb ?? "", group: "", resource: "", path: n.path ?? "" };
}
