import { builtinKinds } from "../api/kinds/registry.ts";
import { defaultStorageClass } from "../api/storage-class.ts";
import type { KubeObject } from "../api/types.ts";
import { bootstrapRbacObjects } from "../identity/rbac-authorizer.ts";
import { log } from "../log.ts";
import { CommitConflictError } from "../store/committer.ts";
import type { Store } from "../store/store.ts";

// A cluster's Kubernetes side starts as a registry item (with its revision counter), the four namespaces every
// Kubernetes cluster has and the default StorageClass EKS ships. The EKS API (lib/eks) decides when.

export const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
/**
 * The Kubernetes side of a new cluster: its registry item (if the EKS document has not made it), the built-in
 * namespaces and the default StorageClass. Idempotent; the writes go concurrently, so they share one commit.
 */
export async function bootstrapCluster(store: Store, name: string): Promise<void> {
  await store.createCluster(name);
  const nsKind = builtinKinds.find(
    (k: { group: string; plural: string }) => k.group === "" && k.plural === "namespaces",
  )!;
  const namespace = async (ns: string) => {
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: ns,
        uid: crypto.randomUUID(),
        creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        labels: { "kubernetes.io/metadata.name": ns },
      },
    };
    nsKind.default(obj);
    try {
      await store.create({ cluster: name, group: "", plural: "namespaces", namespace: "", name: ns }, obj);
    } catch (e) {
      if (!(e instanceof CommitConflictError)) throw e;
    }
  };
  await Promise.all([
    ...BUILTIN_NAMESPACES.map(namespace),
    ensureDefaultStorageClass(store, name),
    ...bootstrapRbacObjects().map((o) => createRbac(store, name, o)),
  ]);
  log("info", "cluster bootstrapped", { cluster: name });
}

/** kube's bootstrap ClusterRoles and bindings (cluster-admin for system:masters, discovery, ...). */
async function createRbac(store: Store, cluster: string, obj: KubeObject): Promise<void> {
  obj.metadata.uid = crypto.randomUUID();
  obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const plural = obj.kind === "ClusterRole" ? "clusterroles" : "clusterrolebindings";
  try {
    await store.create(
      { cluster, group: "rbac.authorization.k8s.io", plural, namespace: "", name: obj.metadata.name! },
      obj,
    );
  } catch (e) {
    if (!(e instanceof CommitConflictError)) throw e;
  }
}

/** Writes the default StorageClass of a new cluster (bootstrap, like its built-in namespaces). */
export async function ensureDefaultStorageClass(store: Store, cluster: string): Promise<void> {
  const kind = builtinKinds.find((k) => k.group === "storage.k8s.io" && k.plural === "storageclasses")!;
  const obj = defaultStorageClass();
  obj.metadata.uid = crypto.randomUUID();
  obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  kind.default(obj);
  try {
    await store.create(
      { cluster, group: "storage.k8s.io", plural: "storageclasses", namespace: "", name: obj.metadata.name! },
      obj,
    );
  } catch (e) {
    if (!(e instanceof CommitConflictError)) throw e;
  }
}
