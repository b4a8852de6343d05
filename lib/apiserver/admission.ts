import { crdStatus, validateCRD } from "../api/crd/index.ts";
import { errors } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import { defaultStorageClassAdmission } from "../controllers/volume-storageclass.ts";
import type { ResourceContext } from "./context.ts";
import { limitRangerAdmission } from "./limitrange.ts";
import { priorityAdmission } from "./priority.ts";
import { resourceQuotaAdmission } from "./quota.ts";

// Admission is a list of plugins run in order on every write, after authentication and authorization and
// before defaulting and validation, like the apiserver's admission chain. Later plugins (ResourceQuota,
// LimitRange, PodSecurity) are added to this list.

export type Operation = "CREATE" | "UPDATE" | "DELETE";
export type AdmissionPlugin = (
  ctx: ResourceContext,
  op: Operation,
  obj: KubeObject,
  old?: KubeObject,
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

/** Services get a ClusterIP from 10.100.0.0/16 and NodePorts from 30000-32767, unique in the cluster. */
const serviceAllocation: AdmissionPlugin = async (ctx, op, obj, old) => {
  if (ctx.kind.group !== "" || ctx.kind.plural !== "services" || op === "DELETE") return;
  const spec = (obj.spec ??= {}) as {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: { nodePort?: number }[];
  };
  const prev = old?.spec as typeof spec | undefined;
  if (spec.type === "ExternalName") return;
  if (prev?.clusterIP && !spec.clusterIP) spec.clusterIP = prev.clusterIP;
  const needIp = !spec.clusterIP;
  const needPorts =
    (spec.type === "NodePort" || spec.type === "LoadBalancer") && (spec.ports ?? []).some((p) => !p.nodePort);
  const requested = !needIp && spec.clusterIP !== "None" && spec.clusterIP !== prev?.clusterIP;
  const requestedPorts = (spec.ports ?? [])
    .map((p, i) => ({ port: p.nodePort, i }))
    .filter((p) => p.port && !(prev?.ports ?? []).some((q) => q.nodePort === p.port));
  if (!needIp && !needPorts && !requested && requestedPorts.length === 0) return;
  const all = await ctx.store.list({ cluster: ctx.cluster, group: "", plural: "services" });
  const name = obj.metadata.name ?? "";
  const items = all.items.filter(
    (s) => !(s.metadata.namespace === obj.metadata.namespace && s.metadata.name === name),
  );
  // Addresses and ports a user asks for must be free, as kube's allocators check.
  if (requested && items.some((s) => (s.spec as typeof spec)?.clusterIP === spec.clusterIP))
    throw errors.invalid("Service", "", name, [
      {
        type: "FieldValueInvalid",
        field: "spec.clusterIPs",
        message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`,
      },
    ]);
  const taken = new Set(items.flatMap((s) => ((s.spec as typeof spec)?.ports ?? []).map((p) => p.nodePort)));
  for (const { port, i } of requestedPorts)
    if (taken.has(port))
      throw errors.invalid("Service", "", name, [
        {
          type: "FieldValueInvalid",
          field: `spec.ports[${i}].nodePort`,
          message: `Invalid value: ${port}: provided port is already allocated`,
        },
      ]);
  if (needIp) {
    const used = new Set(items.map((s) => (s.spec as typeof spec)?.clusterIP));
    for (let i = 10; i < 65_000; i++) {
      const ip = `10.100.${Math.floor(i / 254)}.${(i % 254) + 1}`;
      if (!used.has(ip)) {
        spec.clusterIP = ip;
        break;
      }
    }
  }
  if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  if (needPorts) {
    const used = new Set(items.flatMap((s) => ((s.spec as typeof spec)?.ports ?? []).map((p) => p.nodePort)));
    let next = 30000;
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      while (used.has(next)) next++;
      p.nodePort = next;
      used.add(next);
    }
  }
};

export const admissionPlugins: AdmissionPlugin[] = [
  namespaceLifecycle,
  customResourceDefinitions,
  serviceAllocation,
  priorityAdmission,
  defaultStorageClassAdmission,
  // LimitRanger defaults requests/limits before ResourceQuota counts them (kube's plugin order).
  limitRangerAdmission,
  resourceQuotaAdmission,
];

export async function admit(
  ctx: ResourceContext,
  op: Operation,
  obj: KubeObject,
  old?: KubeObject,
): Promise<void> {
  for (const plugin of admissionPlugins) await plugin(ctx, op, obj, old);
}
