import { errors, StatusError } from "../api/status.ts";
import type { FieldError, KubeObject } from "../api/types.ts";
import { API_AUDIENCE, type ObjectRef, signBoundToken } from "../identity/sa-token.ts";
import { decodeBody, readBody } from "./body.ts";
import type { ResourceContext } from "./context.ts";
import { json } from "./handlers/write.ts";

// serviceaccounts/{name}/token (TokenRequest, what `kubectl create token` and projected volumes use): a
// bound token signed with the cluster's key, for the audiences asked (the API server's by default), for
// expirationSeconds (an hour by default, at least 10 minutes), optionally bound to a Pod or Secret that
// must exist. Nothing is stored.

const DEFAULT_EXPIRATION = 3600;
const MIN_EXPIRATION = 600;
const MAX_EXPIRATION = 2 ** 32;
const BOUND_KINDS = ["Pod", "Secret"];

interface TokenRequestBody {
  spec?: {
    audiences?: unknown;
    expirationSeconds?: unknown;
    boundObjectRef?: { kind?: unknown; apiVersion?: unknown; name?: unknown; uid?: unknown } | null;
  };
}

function specErrors(b: TokenRequestBody): FieldError[] {
  const errs: FieldError[] = [];
  const spec = b.spec ?? {};
  const exp = spec.expirationSeconds;
  if (exp !== undefined && (typeof exp !== "number" || !Number.isInteger(exp)))
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.expirationSeconds",
      message: `Invalid value: ${JSON.stringify(exp)}: must be an integer`,
    });
  else if (typeof exp === "number" && exp < MIN_EXPIRATION)
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.expirationSeconds",
      message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes`,
    });
  else if (typeof exp === "number" && exp > MAX_EXPIRATION)
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.expirationSeconds",
      message: `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds`,
    });
  const aud = spec.audiences;
  if (aud !== undefined && (!Array.isArray(aud) || aud.some((a) => typeof a !== "string" || a === "")))
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.audiences",
      message: "Invalid value: audiences must be non-empty strings",
    });
  const ref = spec.boundObjectRef;
  if (ref) {
    if (typeof ref.kind !== "string" || !BOUND_KINDS.includes(ref.kind))
      errs.push({
        type: "FieldValueNotSupported",
        field: "spec.boundObjectRef.kind",
        message: `Unsupported value: ${JSON.stringify(ref.kind ?? "")}: supported values: "Pod", "Secret"`,
      });
    if (typeof ref.name !== "string" || ref.name === "")
      errs.push({ type: "FieldValueRequired", field: "spec.boundObjectRef.name", message: "Required value" });
  }
  return errs;
}

async function boundObject(
  ctx: ResourceContext,
  namespace: string,
  saName: string,
  ref: NonNullable<NonNullable<TokenRequestBody["spec"]>["boundObjectRef"]>,
) {
  const plural = ref.kind === "Pod" ? "pods" : "secrets";
  const name = ref.name as string;
  const obj = (await ctx.store.get({ cluster: ctx.cluster, group: "", plural, namespace, name })) as
    | KubeObject
    | undefined;
  if (!obj) throw errors.notFound({ group: "", plural }, name);
  if (typeof ref.uid === "string" && ref.uid !== "" && ref.uid !== obj.metadata.uid)
    throw new StatusError(
      409,
      "Conflict",
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  if (obj.metadata.deletionTimestamp)
    throw new StatusError(409, "Conflict", `${plural} "${name}" is being deleted`);
  const runsAs =
    (obj as KubeObject & { spec?: { serviceAccountName?: string } }).spec?.serviceAccountName || "default";
  if (ref.kind === "Pod" && runsAs !== saName)
    throw errors.badRequest(
      `cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`,
    );
  return { kind: ref.kind as "Pod" | "Secret", ref: { name, uid: obj.metadata.uid ?? "" } as ObjectRef };
}

export async function requestToken(ctx: ResourceContext, name: string): Promise<Response> {
  if (ctx.method !== "POST")
    throw errors.methodNotAllowed("the server does not allow this method on the requested resource");
  const issuers = ctx.serviceAccounts;
  if (!issuers) throw errors.badRequest("service account tokens are not served by this API server");
  const body = decodeBody(
    await readBody(ctx.request),
    ctx.headers.get("content-type") ?? "",
  ) as TokenRequestBody;
  const errs = specErrors(body);
  if (errs.length > 0) throw errors.invalid("TokenRequest", "authentication.k8s.io", name, errs);
  const namespace = ctx.path.namespace ?? "";
  const sa = (await ctx.store.get({
    cluster: ctx.cluster,
    group: "",
    plural: "serviceaccounts",
    namespace,
    name,
  })) as KubeObject | undefined;
  if (!sa) throw errors.notFound({ group: "", plural: "serviceaccounts" }, name);
  const found = await issuers.forCluster(ctx.cluster, new URL(ctx.request.url).origin);
  if (!found) throw errors.pathNotFound(`cluster ${ctx.cluster}`);
  const spec = body.spec ?? {};
  const audiences = (spec.audiences as string[] | undefined)?.length
    ? (spec.audiences as string[])
    : [API_AUDIENCE];
  const expirationSeconds = (spec.expirationSeconds as number | undefined) ?? DEFAULT_EXPIRATION;
  const bound = spec.boundObjectRef
    ? await boundObject(ctx, namespace, name, spec.boundObjectRef)
    : undefined;
  const now = Date.now();
  const token = await signBoundToken(found.key, {
    issuer: found.issuer,
    audiences,
    expirationSeconds,
    now,
    namespace,
    serviceAccount: { name, uid: sa.metadata.uid ?? "" },
    ...(bound?.kind === "Pod" ? { pod: bound.ref } : {}),
    ...(bound?.kind === "Secret" ? { secret: bound.ref } : {}),
  });
  const expiration = new Date(Math.floor(now / 1000) * 1000 + expirationSeconds * 1000);
  return json(
    {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name, namespace, creationTimestamp: null },
      spec: {
        audiences,
        expirationSeconds,
        boundObjectRef: spec.boundObjectRef
          ? { kind: bound?.kind, apiVersion: "v1", name: bound?.ref.name, uid: bound?.ref.uid }
          : null,
      },
      status: { token, expirationTimestamp: expiration.toISOString().replace(/\.\d{3}Z$/, "Z") },
    },
    201,
    ctx,
  );
}
