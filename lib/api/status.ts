import type { FieldError } from "./types.ts";

// Kubernetes reports every failure as a meta/v1 Status (brief §3). Handlers throw StatusError and the HTTP layer
// serialises it, so no code path can answer with an ad-hoc error body.

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  constructor(
    public readonly code: number,
    public readonly reason: string,
    message: string,
    public readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    const s: Record<string, unknown> = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

export interface Resource {
  group: string;
  plural: string;
  kind?: string;
}

/** `deployments.apps "web"` — the way the apiserver names a resource in messages. */
function qualified(r: Resource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export const errors = {
  notFound: (r: Resource, name: string) =>
    new StatusError(404, "NotFound", `${qualified(r)} "${name}" not found`, {
      name,
      group: r.group,
      kind: r.plural,
    }),
  alreadyExists: (r: Resource, name: string) =>
    new StatusError(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, {
      name,
      group: r.group,
      kind: r.plural,
    }),
  conflict: (
    r: Resource,
    name: string,
    why = "the object has been modified; please apply your changes to the latest version and try again",
  ) =>
    new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, {
      name,
      group: r.group,
      kind: r.plural,
    }),
  invalid: (kind: string, group: string, name: string, errs: FieldError[]) => {
    const parts = errs.map((e) => `${e.field}: ${e.message}`);
    const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
    const qkind = group ? `${kind}.${group}` : kind;
    return new StatusError(422, "Invalid", `${qkind} "${name}" is invalid: ${list}`, {
      name,
      group,
      kind,
      causes: errs.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
    });
  },
  badRequest: (message: string, causes?: StatusCause[]) =>
    new StatusError(400, "BadRequest", message, causes ? { causes } : undefined),
  forbidden: (message: string, r?: Resource, name?: string) =>
    new StatusError(403, "Forbidden", message, r ? { name, group: r.group, kind: r.plural } : undefined),
  methodNotAllowed: (message: string) => new StatusError(405, "MethodNotAllowed", message),
  notAcceptable: (message: string) => new StatusError(406, "NotAcceptable", message),
  unsupportedMediaType: (message: string) => new StatusError(415, "UnsupportedMediaType", message),
  expired: (message: string) => new StatusError(410, "Expired", message),
  tooLarge: (message: string) => new StatusError(413, "RequestEntityTooLarge", message),
  tooManyRequests: (message: string) =>
    new StatusError(429, "TooManyRequests", message, { retryAfterSeconds: 1 }),
  internal: (message: string) => new StatusError(500, "InternalError", `Internal error occurred: ${message}`),
  pathNotFound: (path: string) =>
    new StatusError(404, "NotFound", `the server could not find the requested resource (${path})`),
};
