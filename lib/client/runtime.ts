import { ApiClient, type ApiHandler } from "./client.ts";

// The client room never imports the API server: an entry point connects it, handing over a factory for the
// server's request handler, which is made on first use (after the runtime environment is configured).

let connect: (() => ApiHandler) | undefined;
let handler: ApiHandler | undefined;

/** Connects every client of this process to an API server. The first connection wins. */
export function connectApi(make: () => ApiHandler): void {
  connect ??= make;
}

/** A client for one cluster, acting as `manager`, on this process's in-process API server. */
export function clientFor(cluster: string, manager: string): ApiClient {
  if (!handler) {
    if (!connect) throw new Error("no API server connected: the entry point must call connectApi first");
    handler = connect();
  }
  return new ApiClient(handler, cluster, manager);
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
