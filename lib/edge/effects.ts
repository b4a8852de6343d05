import { builtinKinds } from "../api/kinds/registry.ts";
import type { KindInfo, KubeObject } from "../api/types.ts";
import { bootstrapCluster } from "../apiserver/bootstrap.ts";
import { isConflict } from "../client/client.ts";
import { clientFor } from "../client/runtime.ts";
import type { DynamoEksRepo } from "../eks/dynamo-repo.ts";
import type { ClusterDoc, EksEffects } from "../eks/repo.ts";
import { log } from "../log.ts";
import { deleteClusterData, suspendCluster } from "../store/cluster-docs.ts";
import { KindRegistry } from "../store/kind-registry.ts";
import type { Store } from "../store/store.ts";

// What the EKS API does to a cluster's Kubernetes side. Add-on objects go through the cluster's own API
// server (the in-process client), so they get admission, defaults and validation and the loops run them like
// anything kubectl applies; bootstrap and teardown work on the store directly, as the control plane does.

const MANAGER = "eks";

function kindOf(obj: KubeObject): KindInfo {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const k = builtinKinds.find((x) => x.group === group && x.version === version && x.kind === obj.kind);
  if (!k) throw new Error(`no built-in kind ${obj.apiVersion} ${obj.kind}`);
  return k;
}

function pathOf(obj: KubeObject, withName: boolean): string {
  const k = kindOf(obj);
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const ns = k.namespaced ? `/namespaces/${obj.metadata.namespace ?? "default"}` : "";
  return `${base}${ns}/${k.plural}${withName ? `/${encodeURIComponent(obj.metadata.name!)}` : ""}`;
}

export class StoreEksEffects implements EksEffects {
  private readonly registry: KindRegistry;

  constructor(
    private readonly store: Store,
    private readonly repo: DynamoEksRepo,
  ) {
    this.registry = new KindRegistry(store);
  }

  async bootstrap(doc: ClusterDoc): Promise<void> {
    if (this.repo.revived.delete(doc.name)) await this.sweep(doc.name);
    await bootstrapCluster(this.store, doc.name);
  }

  async applyObjects(cluster: string, objects: KubeObject[]): Promise<void> {
    const api = clientFor(cluster, MANAGER);
    for (const obj of objects) {
      for (let attempt = 0; ; attempt++) {
        try {
          const current = await api.get(pathOf(obj, true));
          if (!current) await api.create(pathOf(obj, false), obj);
          else
            await api.update(pathOf(obj, true), {
              ...obj,
              metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion },
            });
          break;
        } catch (e) {
          // Another writer (a controller adding status) got in between: read again.
          if (!isConflict(e) || attempt >= 5) throw e;
        }
      }
    }
  }

  async deleteObjects(cluster: string, objects: KubeObject[]): Promise<void> {
    const api = clientFor(cluster, MANAGER);
    // Workloads first, the objects they use last: the reverse of the apply order.
    for (const obj of [...objects].reverse()) await api.delete(pathOf(obj, true));
  }

  async destroy(cluster: string): Promise<void> {
    await suspendCluster(this.store, cluster);
    await this.sweep(cluster);
  }

  private async sweep(cluster: string): Promise<void> {
    const kinds = await this.registry.all(cluster);
    const removed = await deleteClusterData(this.store, cluster, kinds);
    log("info", "cluster data removed", { cluster, objects: removed });
  }
}
