import { Store } from "../store/store.ts";
import { runtimeEnv } from "./env.ts";

let store: Store | undefined;

/** The process-wide store, configured from the environment (Lambda env vars or the local runtime). */
export function defaultStore(): Store {
  if (!store) {
    const env = runtimeEnv();
    store = new Store(env.ddb, env.tables);
  }
  return store;
}
