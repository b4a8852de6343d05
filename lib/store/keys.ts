// Every key starts with the cluster: the cluster is the tenant boundary (brief §2.5).

export interface ResourceType {
  cluster: string;
  group: string; // "" for core
  plural: string;
}

export interface ObjectKey extends ResourceType {
  namespace: string; // "" for cluster-scoped kinds
  name: string;
}

export function partitionKey(t: ResourceType): string {
  return `${t.cluster}/${t.group || "core"}/${t.plural}`;
}

export function sortKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The sort-key prefix that selects one namespace, or every object of the type. */
export function sortKeyPrefix(namespace: string | undefined): string | undefined {
  return namespace === undefined ? undefined : `${namespace}/`;
}

export function blobPartitionKey(pk: string, sk: string, rv: number): string {
  return `${pk}|${sk}|${rv}`;
}

export function describeKey(k: ObjectKey): string {
  return `${k.cluster}/${k.group || "core"}/${k.plural}/${k.namespace ? `${k.namespace}/` : ""}${k.name}`;
}

/** Splits an objects-table partition key back into its parts. */
export function parsePartitionKey(pk: string): ResourceType {
  const [cluster, group, plural] = pk.split("/");
  return { cluster, group: group === "core" ? "" : group, plural };
}

/**
 * The blobs-table partition of a cluster's claims on one value space (ClusterIPs, NodePorts); the sort key is
 * the value. It cannot meet a chunk partition, whose keys contain "/".
 */
export function claimPartitionKey(cluster: string, space: string): string {
  return `${cluster}#claim#${space}`;
}
