import type { Hono } from "hono";
import { createApp } from "../apiserver/app.ts";
import { defaultStore } from "../runtime/store.ts";
import { ApiClient } from "./client.ts";

let app: Hono | undefined;

/** A client for one cluster, acting as `manager`, on this process's in-process API server. */
export function clientFor(cluster: string, manager: string): ApiClient {
  app ??= createApp({ store: defaultStore() });
  return new ApiClient(app, cluster, manager);
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
