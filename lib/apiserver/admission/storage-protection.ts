import { addFinalizer, protectionFinalizer } from "../../api/storage-protection.ts";
import type { AdmissionPlugin } from "./index.ts";

// StorageObjectInUseProtection, the admission half: a delete then only marks a claim or volume Terminating
// until the protection controllers see it unused.
export const storageObjectInUseProtection: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || ctx.kind.group !== "") return;
  const finalizer = protectionFinalizer(ctx.kind.plural);
  if (finalizer) addFinalizer(obj, finalizer);
};
