import { isPodActive, isPodReady } from "../api/pods.ts";
import type { KubeObject } from "../api/types.ts";
import { isConflict } from "../client/client.ts";
import { clientFor } from "../client/runtime.ts";
import type { WorkItem } from "../runtime/work.ts";
import { controllerRef } from "./owner.ts";

// Endpoints and EndpointSlices for every selector Service of a namespace: ready pods as addresses, the rest
// as notReadyAddresses (ready: false in the slice).

type Any = Record<string, any>;

export async function reconcileEndpoints(item: WorkItem): Promise<void> {
  const api = clientFor(item.cluster, "endpoint-controller");
  // EndpointSlices are kube's endpointslice-controller's, which has its own identity.
  const slices = clientFor(item.cluster, "endpointslice-controller");
  const ns = item.key;
  const services = (await api.list(`/api/v1/namespaces/${ns}/services`)).items;
  const pods = (await api.list(`/api/v1/namespaces/${ns}/pods`)).items.filter(
    (p) => isPodActive(p) && (p.status as Any)?.podIP,
  );
  for (const svc of services) {
    const selector = (svc.spec as Any)?.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0 || (svc.spec as Any)?.type === "ExternalName")
      continue;
    const matching = pods.filter((p) =>
      Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
    );
    await writeEndpoints(api, ns, svc, matching);
    await writeSlice(slices, ns, svc, matching);
  }
}

function ports(svc: KubeObject, pod: KubeObject | undefined) {
  return (((svc.spec as Any).ports ?? []) as Any[]).map((p) => {
    let port = p.targetPort ?? p.port;
    if (typeof port === "string" && pod) {
      const named = ((pod.spec as Any).containers ?? [])
        .flatMap((c: Any) => c.ports ?? [])
        .find((cp: Any) => cp.name === port);
      port = named?.containerPort ?? p.port;
    }
    return {
      ...(p.name ? { name: p.name } : {}),
      port: typeof port === "number" ? port : p.port,
      protocol: p.protocol ?? "TCP",
    };
  });
}

const address = (p: KubeObject) => ({
  ip: (p.status as Any).podIP,
  nodeName: (p.spec as Any).nodeName,
  targetRef: { kind: "Pod", namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
});

async function upsert(
  api: ReturnType<typeof clientFor>,
  base: string,
  name: string,
  body: Any,
  same: (old: KubeObject) => boolean,
): Promise<void> {
  const old = await api.get(`${base}/${name}`);
  try {
    if (!old) await api.create(base, body);
    else if (!same(old))
      await api.update(`${base}/${name}`, {
        ...body,
        metadata: { ...old.metadata, labels: body.metadata.labels },
      });
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
}

async function writeEndpoints(
  api: ReturnType<typeof clientFor>,
  ns: string,
  svc: KubeObject,
  pods: KubeObject[],
): Promise<void> {
  const ready = pods.filter(isPodReady);
  const notReady = pods.filter((p) => !isPodReady(p));
  const subsets = pods.length
    ? [
        {
          ...(ready.length ? { addresses: ready.map(address) } : {}),
          ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}),
          ports: ports(svc, pods[0]),
        },
      ]
    : [];
  const name = svc.metadata.name!;
  const body = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name, namespace: ns, labels: svc.metadata.labels },
    subsets,
  };
  await upsert(
    api,
    `/api/v1/namespaces/${ns}/endpoints`,
    name,
    body,
    (old) => JSON.stringify(old.subsets ?? []) === JSON.stringify(subsets),
  );
}

async function writeSlice(
  api: ReturnType<typeof clientFor>,
  ns: string,
  svc: KubeObject,
  pods: KubeObject[],
): Promise<void> {
  const name = `${svc.metadata.name}-slice`;
  const endpoints = pods.map((p) => ({
    addresses: [(p.status as Any).podIP],
    conditions: { ready: isPodReady(p), serving: isPodReady(p), terminating: false },
    nodeName: (p.spec as Any).nodeName,
    targetRef: { kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
  }));
  const body = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name,
      namespace: ns,
      labels: {
        "kubernetes.io/service-name": svc.metadata.name!,
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
      },
      ownerReferences: [controllerRef(svc, "Service", "v1")],
    },
    addressType: "IPv4",
    endpoints,
    ports: ports(svc, pods[0]),
  };
  await upsert(
    api,
    `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
    name,
    body,
    (old) => JSON.stringify(old.endpoints ?? []) === JSON.stringify(endpoints),
  );
}
