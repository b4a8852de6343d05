import { builtinKinds } from "../api/kinds/registry.ts";
import { defaultStorageClass } from "../api/storage-class.ts";
import type { KubeObject } from "../api/types.ts";
import { log } from "../log.ts";
import { CommitConflictError } from "../store/committer.ts";
import type { Store } from "../store/store.ts";

// Cluster lifecycle. A cluster is a registry item (with its revision counter) plus the four namespaces every
// Kubernetes cluster starts with.

export const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
const NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,99}$/;

export interface ClusterDescription {
  name: string;
  arn: string;
  endpoint: string;
  status: "ACTIVE" | "CREATING";
  version: string;
  createdAt: string;
}

export function describeCluster(
  name: string,
  createdAt: string,
  endpoint: string,
  version = "1.32",
): ClusterDescription {
  return {
    name,
    arn: `arn:aws:eks:${process.env.AWS_REGION ?? "us-east-1"}:000000000000:cluster/${name}`,
    endpoint: `${endpoint}/clusters/${name}`,
    status: "ACTIVE",
    version,
    createdAt,
  };
}

/** Creates the cluster if it does not exist and makes sure its built-in namespaces exist. */
export async function ensureCluster(store: Store, name: string): Promise<boolean> {
  const created = await store.createCluster(name);
  const nsKind = builtinKinds.find(
    (k: { group: string; plural: string }) => k.group === "" && k.plural === "namespaces",
  )!;
  for (const ns of BUILTIN_NAMESPACES) {
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: ns,
        uid: crypto.randomUUID(),
        creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        labels: { "kubernetes.io/metadata.name": ns },
      },
    };
    nsKind.default(obj);
    try {
      await store.create({ cluster: name, group: "", plural: "namespaces", namespace: "", name: ns }, obj);
    } catch (e) {
      if (!(e instanceof CommitConflictError)) throw e;
    }
  }
  if (created) await ensureDefaultStorageClass(store, name);
  if (created) log("info", "cluster created", { cluster: name });
  return created;
}

export async function createCluster(
  store: Store,
  name: string,
  opts: { endpoint: string; version?: string },
): Promise<{ status: number; body: unknown }> {
  if (!NAME.test(name)) {
    return {
      status: 400,
      body: {
        __type: "InvalidParameterException",
        message: `The cluster name "${name}" is invalid: it must start with a letter and hold 1-100 letters, digits and hyphens.`,
      },
    };
  }
  const created = await ensureCluster(store, name);
  const rec = await store.getCluster(name);
  const body = {
    cluster: describeCluster(name, rec?.createdAt ?? new Date().toISOString(), opts.endpoint, opts.version),
  };
  if (!created)
    return {
      status: 409,
      body: {
        __type: "ResourceInUseException",
        message: `Cluster already exists with name: ${name}`,
        ...body,
      },
    };
  return { status: 200, body };
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
