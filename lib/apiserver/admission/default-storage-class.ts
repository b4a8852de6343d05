import { pickDefaultClass } from "../../api/storage-class.ts";
import type { AdmissionPlugin } from "./index.ts";

/** DefaultStorageClass admission: a claim created without storageClassName gets the default class. */
export const defaultStorageClassAdmission: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || ctx.kind.group !== "" || ctx.kind.plural !== "persistentvolumeclaims") return;
  const spec = (obj.spec ??= {}) as { storageClassName?: string | null };
  // An explicit "" means "no class" (static binding only); only an absent field is defaulted.
  if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
  const items = await ctx.store.listItems({
    cluster: ctx.cluster,
    group: "storage.k8s.io",
    plural: "storageclasses",
  });
  const def = pickDefaultClass(items);
  if (def) spec.storageClassName = def.metadata.name;
};
