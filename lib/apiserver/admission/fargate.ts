import type { KubeObject } from "../../api/types.ts";
import type { AdmissionPlugin } from "./index.ts";

// EKS on Fargate's mutating webhook: a new pod that matches one of the cluster's ACTIVE Fargate profiles is
// handed to the Fargate scheduler (`schedulerName: fargate-scheduler`) and stamped with the profile it runs
// under (label `eks.amazonaws.com/fargate-profile`). The profiles live in the EKS cluster record, which this
// room may not read: the entry point supplies the lookup (configureFargateProfiles), which picks the profile
// (lib/eks/fargate.ts) and caches the records briefly so pod creation on clusters without profiles stays cheap.
// Without a lookup (unit tests, the EKS-less local API) no pod goes to Fargate.

/** The profile a new pod in this namespace with these labels runs under, if any. */
export type FargateProfileLookup = (
  cluster: string,
  namespace: string,
  labels: Record<string, string>,
) => Promise<string | undefined>;

const PROFILE_LABEL = "eks.amazonaws.com/fargate-profile";
const SCHEDULER = "fargate-scheduler";
const CAPACITY_ANNOTATION = "CapacityProvisioned";
const COMPUTE_TYPE = "eks.amazonaws.com/compute-type";

let lookup: FargateProfileLookup | undefined;

/** Sets (or with undefined, clears) where the admission step finds a cluster's Fargate profiles. */
export function configureFargateProfiles(fn: FargateProfileLookup | undefined): void {
  lookup = fn;
}

interface PodSpecFields {
  schedulerName?: string;
  nodeName?: string;
}

export const fargateAdmission: AdmissionPlugin = async (ctx, op, obj) => {
  if (!lookup || op !== "CREATE" || ctx.kind.group !== "" || ctx.kind.plural !== "pods") return;
  const spec = (obj as KubeObject & { spec?: PodSpecFields }).spec;
  // A pod already placed, or one that asked for another scheduler, is not Fargate's to take.
  if (!spec || spec.nodeName) return;
  if (spec.schedulerName && spec.schedulerName !== "default-scheduler" && spec.schedulerName !== SCHEDULER)
    return;
  // EKS's CoreDNS carries this to stay on EC2; the getting-started guide removes it to run CoreDNS on Fargate.
  if (obj.metadata.annotations?.[COMPUTE_TYPE] === "ec2") return;
  const namespace = obj.metadata.namespace ?? ctx.path.namespace ?? "";
  const profile = await lookup(ctx.cluster, namespace, obj.metadata.labels ?? {});
  if (!profile) return;
  spec.schedulerName = SCHEDULER;
  obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [PROFILE_LABEL]: profile };
  // The size is the Fargate scheduler's to record (a copied manifest may carry an old one, which would
  // read as a pod already being placed).
  if (obj.metadata.annotations?.[CAPACITY_ANNOTATION] !== undefined) {
    const { [CAPACITY_ANNOTATION]: _, ...rest } = obj.metadata.annotations;
    obj.metadata.annotations = rest;
  }
};
