import { createApp } from "../lib/apiserver/app.ts";
import { INTERNAL_USER } from "../lib/apiserver/pipeline.ts";
import { connectApi } from "../lib/client/runtime.ts";
import { defaultStore } from "../lib/runtime/store.ts";

/** Gives this process's control loops an in-process API server (one per process, made on first use). */
export function connectInProcessApi(): void {
  connectApi(() => {
    const app = createApp({ store: defaultStore() });
    return (url, init, as) => app.request(url, init, { [INTERNAL_USER]: as });
  });
}
