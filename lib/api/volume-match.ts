import { createHash } from "node:crypto";
import { termMatches } from "./node-selector.ts";
import { parseQuantity } from "./quantity.ts";
import { labelSelectorFromObject } from "./selectors.ts";
import { EBS_PROVISIONER } from "./storage-class.ts";
import type { KubeObject } from "./types.ts";

// Pure PV/PVC logic shared by the volume controller and the scheduler: which volume satisfies a claim, where
// a volume can be used, and what a dynamically provisioned (simulated EBS) volume looks like.

type Any = Record<string, any>;

export const ZONE_LABEL = "topology.kubernetes.io/zone";
export const SELECTED_NODE = "volume.kubernetes.io/selected-node";
export const BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
export const BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
export const PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
const GI = 1024 ** 3;

export const specOf = (o: KubeObject): Any => (o.spec ?? {}) as Any;
export const phaseOf = (o: KubeObject): string | undefined => (o.status as Any | undefined)?.phase;

export function claimRequest(pvc: KubeObject): number {
  return parseQuantity(specOf(pvc).resources?.requests?.storage);
}

export const classOf = (o: KubeObject): string => specOf(o).storageClassName ?? "";

/** The claims a pod mounts, by name. */
export function podClaims(pod: KubeObject): string[] {
  return ((specOf(pod).volumes ?? []) as Any[])
    .map((v) => v.persistentVolumeClaim?.claimName as string | undefined)
    .filter((n): n is string => Boolean(n));
}

/** Whether a PV is reserved for (pre-bound to) this claim. */
export function preBoundTo(pv: KubeObject, pvc: KubeObject): boolean {
  const ref = specOf(pv).claimRef as Any | undefined;
  return (
    !!ref &&
    ref.name === pvc.metadata.name &&
    ref.namespace === pvc.metadata.namespace &&
    (!ref.uid || ref.uid === pvc.metadata.uid)
  );
}

/** Whether `pv` can satisfy `pvc` (and, when given, is usable from a node with `nodeLabels`). */
export function volumeMatches(pv: KubeObject, pvc: KubeObject, node?: KubeObject): boolean {
  const ps = specOf(pv);
  const cs = specOf(pvc);
  if (pv.metadata.deletionTimestamp) return false;
  if (ps.claimRef && !preBoundTo(pv, pvc)) return false;
  const phase = phaseOf(pv);
  if (phase === "Released" || phase === "Failed") return false;
  if (classOf(pv) !== classOf(pvc)) return false;
  if ((ps.volumeMode ?? "Filesystem") !== (cs.volumeMode ?? "Filesystem")) return false;
  const modes = new Set<string>(ps.accessModes ?? []);
  if (!((cs.accessModes ?? []) as string[]).every((m) => modes.has(m))) return false;
  if (parseQuantity(ps.capacity?.storage) < claimRequest(pvc)) return false;
  if (cs.selector && !labelSelectorFromObject(cs.selector).matches(pv.metadata.labels)) return false;
  if (node && !nodeFitsVolume(pv, node)) return false;
  return true;
}

/** The best volume for a claim: one reserved for it, else the smallest that fits. */
export function bestVolume(pvs: KubeObject[], pvc: KubeObject, node?: KubeObject): KubeObject | undefined {
  const fits = pvs.filter((pv) => volumeMatches(pv, pvc, node));
  const reserved = fits.find((pv) => preBoundTo(pv, pvc));
  if (reserved) return reserved;
  return fits.sort(
    (a, b) =>
      parseQuantity(specOf(a).capacity?.storage) - parseQuantity(specOf(b).capacity?.storage) ||
      String(a.metadata.name).localeCompare(String(b.metadata.name)),
  )[0];
}

/** Whether a node satisfies a volume's required node affinity (none means anywhere). */
export function nodeFitsVolume(pv: KubeObject, node: KubeObject): boolean {
  const terms = (specOf(pv).nodeAffinity?.required?.nodeSelectorTerms ?? []) as Any[];
  return terms.length === 0 || terms.some((t) => termMatches(t, node));
}

/** EBS sizes are whole GiB: a request rounds up. */
export function ebsSize(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / GI))}Gi`;
}

function volumeId(uid: string): string {
  return `vol-${createHash("sha256").update(uid).digest("hex").slice(0, 17)}`;
}

/** The PV the simulated EBS CSI driver provisions for a claim, in one zone, already reserved for it. */
export function provisionedVolume(pvc: KubeObject, sc: KubeObject, zone: string): KubeObject {
  const cs = specOf(pvc);
  const scAny = sc as Any;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: `pvc-${pvc.metadata.uid}`,
      annotations: {
        [PROVISIONED_BY]: scAny.provisioner ?? EBS_PROVISIONER,
        "volume.kubernetes.io/provisioner-deletion-secret-name": "",
        "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
      },
    },
    spec: {
      capacity: { storage: ebsSize(claimRequest(pvc)) },
      accessModes: cs.accessModes ?? ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: scAny.reclaimPolicy ?? "Delete",
      storageClassName: sc.metadata.name,
      volumeMode: cs.volumeMode ?? "Filesystem",
      claimRef: claimRefTo(pvc),
      csi: {
        driver: scAny.provisioner ?? EBS_PROVISIONER,
        volumeHandle: volumeId(pvc.metadata.uid ?? pvc.metadata.name ?? ""),
        fsType: scAny.parameters?.fsType ?? scAny.parameters?.["csi.storage.k8s.io/fstype"] ?? "ext4",
        volumeAttributes: { "storage.kubernetes.io/csiProvisionerIdentity": "kumulus-ebs-csi" },
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: "In", values: [zone] }] }],
        },
      },
    },
  };
}

/** A zone for an Immediate-mode volume: from allowedTopologies if set, else spread by claim over `zones`. */
export function immediateZone(pvc: KubeObject, sc: KubeObject, zones: string[]): string {
  const allowed = (((sc as Any).allowedTopologies ?? []) as Any[])
    .flatMap((t) => (t.matchLabelExpressions ?? []) as Any[])
    .filter((e) => e.key === ZONE_LABEL || e.key === "topology.ebs.csi.aws.com/zone")
    .flatMap((e) => (e.values ?? []) as string[]);
  const pool = (allowed.length ? allowed : zones).slice().sort();
  if (pool.length === 0) return "us-east-1a";
  const h = createHash("sha256")
    .update(pvc.metadata.uid ?? "")
    .digest()
    .readUInt32BE(0);
  return pool[h % pool.length];
}

/** The reference a volume keeps to the claim bound to it. */
export function claimRefTo(pvc: KubeObject): Record<string, unknown> {
  return {
    kind: "PersistentVolumeClaim",
    apiVersion: "v1",
    namespace: pvc.metadata.namespace,
    name: pvc.metadata.name,
    uid: pvc.metadata.uid,
    resourceVersion: pvc.metadata.resourceVersion,
  };
}
