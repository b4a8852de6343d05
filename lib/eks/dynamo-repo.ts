import {
  type ClusterAttributes,
  createClusterDoc,
  getClusterDoc,
  listClusterDocs,
  removeClusterDoc,
  replaceClusterDoc,
} from "../store/cluster-docs.ts";
import type { Store } from "../store/store.ts";
import type { ClusterDoc, EksRepo } from "./repo.ts";

// The EKS documents on DynamoDB: one per cluster, in the cluster's registry item (store/cluster-docs.ts).
// The document is this room's own JSON, so it is read back as the type it was written with.

function attributesOf(doc: ClusterDoc): ClusterAttributes {
  return { version: doc.version, serviceCidr: doc.kubernetesNetworkConfig.serviceIpv4Cidr, arn: doc.arn };
}

export class DynamoEksRepo implements EksRepo {
  /** Clusters created over a removed one of the same name, until their bootstrap sweeps the leftovers. */
  readonly revived = new Set<string>();

  constructor(private readonly store: Store) {}

  async get(name: string): Promise<{ doc: ClusterDoc; version: number } | undefined> {
    const got = await getClusterDoc(this.store, name);
    return got && { doc: JSON.parse(got.doc) as ClusterDoc, version: got.version };
  }

  async list(): Promise<ClusterDoc[]> {
    return (await listClusterDocs(this.store)).map((d) => JSON.parse(d) as ClusterDoc);
  }

  async create(doc: ClusterDoc): Promise<boolean> {
    const r = await createClusterDoc(this.store, doc.name, JSON.stringify(doc), attributesOf(doc));
    if (r === "revived") this.revived.add(doc.name);
    return r !== false;
  }

  replace(doc: ClusterDoc, version: number): Promise<boolean> {
    return replaceClusterDoc(this.store, doc.name, JSON.stringify(doc), version, attributesOf(doc));
  }

  remove(name: string): Promise<void> {
    return removeClusterDoc(this.store, name);
  }
}
