import { createApp } from "../lib/apiserver/app.ts";
import { INTERNAL_USER } from "../lib/apiserver/pipeline.ts";
import { connectApi } from "../lib/client/runtime.ts";
import { defaultStore } from "../lib/runtime/store.ts";
import { clusterIssuers } from "./cluster-identity.ts";

/** Gives this process's control loops an in-process API server (one per process, made on first use). */
export function connectInProcessApi(): void {
  connectApi(() => {
    const env = process.env;
    const app = createApp({
      store: defaultStore(),
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      serviceAccounts: clusterIssuers(),
    });
    return (url, init, as) => app.request(url, init, { [INTERNAL_USER]: as });
  });
}
