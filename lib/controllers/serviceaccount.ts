import { isConflict } from "../client/client.ts";
import { clientFor } from "../client/runtime.ts";
import type { WorkItem } from "../runtime/work.ts";

// Every namespace gets a `default` ServiceAccount.
export async function reconcileServiceAccounts(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "service-account-controller");
  const ns = await api.get(`/api/v1/namespaces/${item.key}`);
  if (!ns || ns.metadata.deletionTimestamp) return;
  if (await api.get(`/api/v1/namespaces/${item.key}/serviceaccounts/default`)) return;
  try {
    await api.create(`/api/v1/namespaces/${item.key}/serviceaccounts`, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default" },
    });
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
}
