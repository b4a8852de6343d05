import { builtinKinds } from "../api/kinds/registry.ts";
import { log } from "../log.ts";
import type { Store } from "../store/store.ts";
import type { Change } from "../watch/router.ts";
import { fanOut } from "./fanout.ts";

// A resync replays every stored object through the routes as if it had just changed. Reconcilers are
// level-triggered, so this resumes every loop from stored state after work items were lost (the local SQS
// emulator keeps its queues in memory) and costs only no-op reconciles where nothing was pending.

const SKIP = new Set(["/events", "events.k8s.io/events"]);

export async function resyncCluster(store: Store, cluster: string): Promise<number> {
  let count = 0;
  for (const kind of builtinKinds) {
    if (SKIP.has(`${kind.group}/${kind.plural}`)) continue;
    let cont: string | undefined;
    do {
      const page = await store.list(
        { cluster, group: kind.group, plural: kind.plural },
        { limit: 500, continue: cont },
      );
      const changes: Change[] = page.items.map((object) => ({
        cluster,
        group: kind.group,
        plural: kind.plural,
        namespace: object.metadata.namespace ?? "",
        name: object.metadata.name!,
        type: "MODIFIED",
        rv: Number(object.metadata.resourceVersion),
        object,
      }));
      await fanOut(changes);
      count += changes.length;
      cont = page.continue;
    } while (cont);
  }
  log("info", "resynced cluster", { cluster, objects: count });
  return count;
}

export async function resyncAll(store: Store): Promise<void> {
  for (const c of await store.listClusters()) await resyncCluster(store, c.name);
}
