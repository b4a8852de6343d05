import { randomUUID } from "node:crypto";
import { errors } from "../../api/status.ts";
import { apiVersionOf, type KubeObject } from "../../api/types.ts";
import { checkTypeMeta, decodeBody, dropNulls, readBody } from "../body.ts";
import { objectKey, type ResourceContext, resourceOf } from "../context.ts";
import { applyFieldValidation } from "../fieldvalidation.ts";
import { commitCreate, commitUpdate } from "./commit.ts";

export async function readObject(ctx: ResourceContext): Promise<KubeObject> {
  const text = await readBody(ctx.request);
  const raw = decodeBody(text, ctx.headers.get("content-type") ?? "application/json");
  const obj = checkTypeMeta(dropNulls(raw), apiVersionOf(ctx.kind), ctx.kind.kind);
  checkNamespace(ctx, obj);
  return applyFieldValidation(ctx, obj);
}

function checkNamespace(ctx: ResourceContext, obj: KubeObject): void {
  const m = obj.metadata;
  if (!ctx.kind.namespaced) {
    delete m.namespace;
    return;
  }
  if (m.namespace && ctx.path.namespace && m.namespace !== ctx.path.namespace) {
    throw errors.badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  m.namespace = ctx.path.namespace ?? m.namespace;
  if (!m.namespace)
    throw errors.badRequest("a namespace is required: use a namespaced URL or set metadata.namespace");
}

const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** Like the apiserver's name generator: the prefix plus five random characters. */
export function generateName(prefix: string): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return `${prefix.slice(0, 63 - 5)}${s}`;
}

/** Fills system metadata for a new object and clears what clients may not set. */
export function prepareForCreate(ctx: ResourceContext, obj: KubeObject): KubeObject {
  const m = obj.metadata;
  if (!m.name && m.generateName) m.name = generateName(m.generateName);
  m.uid = randomUUID();
  m.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  m.generation = 1;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.managedFields;
  if (ctx.kind.subresources.status && ctx.kind.group !== "apiextensions.k8s.io") delete obj.status;
  return obj;
}

export async function create(ctx: ResourceContext): Promise<Response> {
  if (ctx.path.name && !ctx.path.subresource) {
    throw errors.methodNotAllowed(`POST is not supported on a named ${ctx.kind.kind}; use PUT to replace it`);
  }
  const obj = prepareForCreate(ctx, await readObject(ctx));
  const created = await commitCreate(ctx, obj);
  return json(created, 201, ctx);
}

export async function update(ctx: ResourceContext): Promise<Response> {
  const name = ctx.path.name!;
  const obj = await readObject(ctx);
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
    throw errors.badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  obj.metadata.name = name;
  const old = await ctx.store.get(objectKey(ctx, name));
  if (!old) throw errors.notFound(resourceOf(ctx), name);
  const rv = obj.metadata.resourceVersion;
  if (rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion)
    throw errors.conflict(resourceOf(ctx), name);
  if (old.metadata.uid && obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
    throw errors.conflict(
      resourceOf(ctx),
      name,
      `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid}`,
    );
  }
  const next = mergeForSubresource(ctx, old, obj);
  const saved = await commitUpdate(ctx, old, next);
  return json(saved, 200, ctx);
}

/** The main resource ignores status changes and the status subresource ignores everything but status. */
export function mergeForSubresource(ctx: ResourceContext, old: KubeObject, next: KubeObject): KubeObject {
  if (ctx.path.subresource === "status") return { ...structuredClone(old), status: next.status };
  if (ctx.kind.subresources.status && ctx.kind.group !== "apiextensions.k8s.io") {
    if (old.status === undefined) delete next.status;
    else next.status = structuredClone(old.status);
  }
  return next;
}

export function json(body: unknown, status: number, ctx?: ResourceContext): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (ctx && ctx.warnings.length > 0) {
    headers.warning = ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ");
  }
  return new Response(JSON.stringify(body), { status, headers });
}
