import { applyPatch, PatchError, type PatchType, patchTypeFromContentType } from "../../api/patch/index.ts";
import { boolParam } from "../../api/query.ts";
import { errors, StatusError } from "../../api/status.ts";
import { apiVersionOf, type KubeObject } from "../../api/types.ts";
import { dropNulls, readBody } from "../body.ts";
import { fieldManager, objectKey, type ResourceContext, resourceOf } from "../context.ts";
import { applyFieldValidation } from "../fieldvalidation.ts";
import { commitCreate, commitUpdate } from "./commit.ts";
import { scaleOf, withScale } from "./scale.ts";
import { json, mergeForSubresource, prepareForCreate } from "./write.ts";

// A patch is applied to the latest stored object and retried when another writer wins the race, as the
// apiserver does until its request timeout; a resourceVersion the patch itself sets turns it into a
// conditional write instead. A hot object (a Deployment its controllers write status to) can lose several
// races in a row, so the re-tries are many and jittered.

const MAX_TRIES = 30;

export async function patch(ctx: ResourceContext): Promise<Response> {
  const name = ctx.path.name!;
  const type = patchTypeFromContentType(ctx.headers.get("content-type") ?? "");
  if (!type) {
    throw errors.unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  // Strategic merge needs Go-type merge metadata, which only built-in kinds have (custom resources get 415);
  // the scale subresource is autoscaling/v1 Scale, a built-in type, whatever kind it scales.
  const strategic = ctx.registry.isBuiltin(ctx.kind) || ctx.path.subresource === "scale";
  if (type === "strategic" && !strategic) {
    throw errors.unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    );
  }
  const body = (await readBody(ctx.request)).toString("utf8");
  if (type === "apply" && !ctx.query.get("fieldManager")) {
    throw errors.badRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set");
  }
  const force = boolParam(ctx.query, "force");
  for (let attempt = 0; ; attempt++) {
    const old = await ctx.store.get(objectKey(ctx, name));
    if (!old && !(type === "apply" && !ctx.path.subresource)) throw errors.notFound(resourceOf(ctx), name);
    const base = ctx.path.subresource === "scale" && old ? scaleOf(ctx, old) : old;
    let patched: KubeObject;
    try {
      patched = applyPatch(base, body, type, {
        fieldManager: fieldManager(ctx),
        force,
        subresource: ctx.path.subresource,
        strategic,
      });
    } catch (e) {
      if (e instanceof PatchError)
        throw new StatusError(e.code, e.reason, e.message, e.causes ? { causes: e.causes } : undefined);
      throw e;
    }
    // The patched object carries the stored resourceVersion unless the patch set its own: only then is the
    // write conditional (on a re-try, a patch that named the version it read no longer matches).
    const precondition = patched.metadata?.resourceVersion;
    const conditional =
      old !== undefined &&
      ctx.path.subresource !== "scale" &&
      precondition !== undefined &&
      precondition !== old.metadata.resourceVersion;
    try {
      if (!old) {
        const obj = applyFieldValidation(ctx, checkApplied(ctx, patched, name));
        const created = await commitCreate(ctx, prepareForCreateKeepingFields(ctx, obj), {
          managedFieldsDone: true,
        });
        return json(created, 201, ctx);
      }
      let next: KubeObject;
      if (ctx.path.subresource === "scale") next = withScale(ctx, old, patched);
      else {
        next = mergeForSubresource(ctx, old, applyFieldValidation(ctx, checkApplied(ctx, patched, name)));
      }
      if (conditional) throw errors.conflict(resourceOf(ctx), name);
      const saved = await commitUpdate(ctx, old, next, { managedFieldsDone: type === "apply" });
      return json(ctx.path.subresource === "scale" ? scaleOf(ctx, saved) : saved, 200, ctx);
    } catch (e) {
      const conflict =
        e instanceof StatusError && e.code === 409 && e.reason === "Conflict" && attempt < MAX_TRIES;
      // Lost a race with another writer: re-read and re-apply. Apply conflicts between managers are final.
      if (conflict && !conditional && !(e as StatusError).message.startsWith("Apply failed")) {
        if (attempt >= 2) await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(attempt, 10)));
        continue;
      }
      throw e;
    }
  }
}

function checkApplied(ctx: ResourceContext, patched: KubeObject, name: string): KubeObject {
  if (!patched || typeof patched !== "object") throw errors.badRequest("the patch produced no object");
  const obj = dropNulls(patched);
  if (obj.apiVersion !== apiVersionOf(ctx.kind) || obj.kind !== ctx.kind.kind) {
    throw errors.badRequest(
      `the patch changed the object's apiVersion or kind (${obj.apiVersion}, ${obj.kind})`,
    );
  }
  obj.metadata ??= {};
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
    throw errors.badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  obj.metadata.name = name;
  if (ctx.kind.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ctx.path.namespace) {
      throw errors.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    obj.metadata.namespace = ctx.path.namespace;
  }
  return obj;
}

/** Server-side apply creating an object keeps the managedFields the apply computed. */
function prepareForCreateKeepingFields(ctx: ResourceContext, obj: KubeObject): KubeObject {
  const managed = obj.metadata.managedFields;
  const out = prepareForCreate(ctx, obj);
  if (managed) out.metadata.managedFields = managed;
  return out;
}

export type { PatchType };
