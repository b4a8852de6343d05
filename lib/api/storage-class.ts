import type { KubeObject } from "./types.ts";

// The default StorageClass every new cluster gets (EKS ships one backed by the EBS CSI driver), and how the
// default among several classes is picked. Cluster bootstrap, admission and the volume controller share it.

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
