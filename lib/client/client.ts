import { StatusError } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import type { UserInfo } from "../api/user.ts";
import { log } from "../log.ts";
import { internalIdentity } from "./identity.ts";

// Controllers, the scheduler and kubelets write through the API server's own request pipeline (in process,
// through the handler an entry point connects): the same admission, defaulting, validation and
// compare-and-swap rules as kubectl.

/**
 * The API server's request handler, as the entry point hands it over (Hono's `app.request`), with the
 * identity the request acts as: passed beside the request, never in it, so no remote caller can claim it.
 */
export type ApiHandler = (url: string, init: RequestInit, as: UserInfo) => Response | Promise<Response>;

export interface ListResult {
  items: KubeObject[];
  metadata: { resourceVersion: string };
}

export class ApiClient {
  constructor(
    private readonly handler: ApiHandler,
    readonly cluster: string,
    private readonly manager: string,
    readonly identity: UserInfo = internalIdentity(manager),
  ) {}

  private async call(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<any> {
    const sep = path.includes("?") ? "&" : "?";
    const url = `http://internal/clusters/${this.cluster}${path}${method === "GET" ? "" : `${sep}fieldManager=${this.manager}`}`;
    const res = await this.handler(
      url,
      {
        method,
        headers: { "content-type": contentType, "user-agent": `${this.manager}/v1.32.0` },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      this.identity,
    );
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    // A loop lacking a right it needs is a bug, whoever catches the error (events are best effort): say so.
    // (Admission also answers 403, to an over-quota create say; its message names no user.)
    if (
      res.status === 403 &&
      String(parsed?.message ?? text).includes(`User "${this.identity.username}" cannot`)
    )
      log("error", "internal caller forbidden", {
        cluster: this.cluster,
        user: this.identity.username,
        method,
        path,
        message: parsed?.message ?? text,
      });
    if (res.status >= 400) {
      throw new StatusError(
        res.status,
        parsed?.reason ?? "Unknown",
        parsed?.message ?? text,
        parsed?.details,
      );
    }
    return parsed;
  }

  get(path: string): Promise<KubeObject | undefined> {
    return this.call("GET", path).catch((e) => {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    });
  }

  list(path: string): Promise<ListResult> {
    return this.call("GET", path);
  }

  create(path: string, obj: unknown): Promise<KubeObject> {
    return this.call("POST", path, obj);
  }

  update(path: string, obj: unknown): Promise<KubeObject> {
    return this.call("PUT", path, obj);
  }

  mergePatch(path: string, patch: unknown): Promise<KubeObject> {
    return this.call("PATCH", path, patch, "application/merge-patch+json");
  }

  delete(path: string, opts?: unknown): Promise<KubeObject | undefined> {
    return this.call("DELETE", path, opts).catch((e) => {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    });
  }
}

export function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.code === 409;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

/**
 * A write of an object read earlier that lost to a newer version (409) or to its deletion (404). Either way
 * that change queued another reconcile, so a controller's status write may drop it.
 */
export function isStaleWrite(e: unknown): boolean {
  return isConflict(e) || isNotFound(e);
}
