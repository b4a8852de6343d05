import { ApiClient, type ApiHandler } from "./client.ts";
import { nodeIdentity } from "./identity.ts";

// The client room never imports the API server: an entry point connects it, handing over a factory for the
// server's request handler, which is made on first use (after the runtime environment is configured).

let connect: (() => ApiHandler) | undefined;
let handler: ApiHandler | undefined;

/** Connects every client of this process to an API server. The first connection wins. */
export function connectApi(make: () => ApiHandler): void {
  connect ??= make;
}

function connected(): ApiHandler {
  if (!handler) {
    if (!connect) throw new Error("no API server connected: the entry point must call connectApi first");
    handler = connect();
  }
  return handler;
}

/**
 * A client for one cluster, acting as `manager`'s kube identity (see identity.ts), on this process's
 * in-process API server.
 */
export function clientFor(cluster: string, manager: string): ApiClient {
  return new ApiClient(connected(), cluster, manager);
}

/** A client acting as the kubelet of `node` (system:node:<node>), writing as field manager `manager`. */
export function nodeClientFor(cluster: string, node: string, manager = "kubelet"): ApiClient {
  return new ApiClient(connected(), cluster, manager, nodeIdentity(node));
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
