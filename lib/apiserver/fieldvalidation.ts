import { errors } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import type { ResourceContext } from "./context.ts";

// fieldValidation=Strict rejects undeclared fields, Warn (the default) keeps going with a Warning header,
// Ignore drops them silently. In every mode the stored object holds only declared fields, as in Kubernetes.
export function applyFieldValidation(ctx: ResourceContext, obj: KubeObject): KubeObject {
  const mode = ctx.query.get("fieldValidation") ?? "Warn";
  if (mode !== "Strict" && mode !== "Warn" && mode !== "Ignore") {
    throw errors.badRequest(`fieldValidation must be one of "Ignore", "Warn" or "Strict", got "${mode}"`);
  }
  const unknown = ctx.kind.unknownFields(obj);
  if (unknown.length === 0) return obj;
  if (mode === "Strict") {
    const list = unknown.map((f) => `unknown field "${f}"`).join(", ");
    throw errors.badRequest(
      `${ctx.kind.kind} in version "${ctx.kind.version}" cannot be handled as a ${ctx.kind.kind}: strict decoding error: ${list}`,
    );
  }
  if (mode === "Warn") for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  return ctx.kind.prune(obj);
}
