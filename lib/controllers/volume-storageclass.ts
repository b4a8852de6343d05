import { builtinKinds } from "../api/kinds/registry.ts";
import type { KubeObject } from "../api/types.ts";
import type { AdmissionPlugin } from "../apiserver/admission.ts";
import { CommitConflictError } from "../store/committer.ts";
import type { Store } from "../store/store.ts";

// The default StorageClass every new cluster gets (EKS ships one backed by the EBS CSI driver) and the
// DefaultStorageClass admission plugin that gives claims without a class the default one. Store-level only:
// this is imported by cluster bootstrap and admission, which must not depend on the in-process client.

export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
export const EBS_PROVISIONER = "ebs.csi.aws.com";

export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "gp3", annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
    provisioner: EBS_PROVISIONER,
    parameters: { type: "gp3" },
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
  } as KubeObject;
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

/** The default class among `classes`: the newest one annotated as default, as the apiserver picks it. */
export function pickDefaultClass(classes: KubeObject[]): KubeObject | undefined {
  return classes
    .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true")
    .sort(
      (a, b) =>
        String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)) ||
        String(a.metadata.name).localeCompare(String(b.metadata.name)),
    )[0];
}

/** DefaultStorageClass admission: a claim created without storageClassName gets the default class. */
export const defaultStorageClassAdmission: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || ctx.kind.group !== "" || ctx.kind.plural !== "persistentvolumeclaims") return;
  const spec = (obj.spec ??= {}) as { storageClassName?: string | null };
  // An explicit "" means "no class" (static binding only); only an absent field is defaulted.
  if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
  const { items } = await ctx.store.list({
    cluster: ctx.cluster,
    group: "storage.k8s.io",
    plural: "storageclasses",
  });
  const def = pickDefaultClass(items);
  if (def) spec.storageClassName = def.metadata.name;
};
