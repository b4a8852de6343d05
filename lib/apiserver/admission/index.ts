import { crdStatus, validateCRD } from "../../api/crd/index.ts";
import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { CommitExtras } from "../commit-extras.ts";
import type { ResourceContext } from "../context.ts";
import { defaultStorageClassAdmission } from "./default-storage-class.ts";
import { fargateAdmission } from "./fargate.ts";
import { irsaAdmission } from "./irsa.ts";
import { limitRangerAdmission } from "./limitrange.ts";
import { podIdentityAdmission } from "./pod-identity.ts";
import { priorityAdmission } from "./priority.ts";
import { resourceQuotaAdmission } from "./quota.ts";
import { serviceAccountTokenSecrets } from "./service-account-token.ts";
import { serviceAllocation } from "./service-allocation.ts";
import { storageObjectInUseProtection } from "./storage-protection.ts";

// Admission is a list of plugins run in order on every write, after authentication and authorization and
// before defaulting and validation, like the apiserver's admission chain. Later plugins (ResourceQuota,
// LimitRange, PodSecurity) are added to this list.

export type Operation = "CREATE" | "UPDATE" | "DELETE";
/** `extras` collects what must commit atomically with the object (claims, other objects). */
export type AdmissionPlugin = (
  ctx: ResourceContext,
  op: Operation,
  obj: KubeObject,
  old?: KubeObject,
  extras?: CommitExtras,
) => Promise<void>;

const namespaceLifecycle: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || !ctx.kind.namespaced) return;
  const namespace = obj.metadata.namespace ?? "";
  const ns = await ctx.store.get({
    cluster: ctx.cluster,
    group: "",
    plural: "namespaces",
    namespace: "",
    name: namespace,
  });
  if (!ns) throw errors.notFound({ group: "", plural: "namespaces" }, namespace);
  if (ns.metadata.deletionTimestamp) {
    throw errors.forbidden(
      `${ctx.kind.plural} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      { group: ctx.kind.group, plural: ctx.kind.plural },
      obj.metadata.name,
    );
  }
};

/** CRDs are checked beyond their schema and become Established at once (names are accepted synchronously). */
const customResourceDefinitions: AdmissionPlugin = async (ctx, op, obj) => {
  if (
    ctx.kind.group !== "apiextensions.k8s.io" ||
    ctx.kind.plural !== "customresourcedefinitions" ||
    op === "DELETE"
  )
    return;
  const errs = validateCRD(obj);
  if (errs.length > 0)
    throw errors.invalid("CustomResourceDefinition", "apiextensions.k8s.io", obj.metadata.name ?? "", errs);
  obj.status = crdStatus(obj);
};

export const admissionPlugins: AdmissionPlugin[] = [
  namespaceLifecycle,
  customResourceDefinitions,
  serviceAllocation,
  priorityAdmission,
  defaultStorageClassAdmission,
  storageObjectInUseProtection,
  serviceAccountTokenSecrets,
  podIdentityAdmission,
  irsaAdmission,
  // After the webhooks that add volumes and env; before LimitRanger and quota, which only read the pod.
  fargateAdmission,
  // LimitRanger defaults requests/limits before ResourceQuota counts them (kube's plugin order).
  limitRangerAdmission,
  resourceQuotaAdmission,
];

export async function admit(
  ctx: ResourceContext,
  op: Operation,
  obj: KubeObject,
  old?: KubeObject,
  extras?: CommitExtras,
): Promise<void> {
  for (const plugin of admissionPlugins) await plugin(ctx, op, obj, old, extras);
}
