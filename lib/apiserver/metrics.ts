import { METRICS_GROUP, METRICS_VERSION, nodeMetricsOf, podMetricsFor } from "../api/metrics.ts";
import { parseLabelSelector, SelectorError } from "../api/selectors.ts";
import { errors } from "../api/status.ts";
import type { Store } from "../store/store.ts";
import { json } from "./handlers/write.ts";
import type { ResourcePath } from "./path.ts";

export { METRICS_GROUP, METRICS_VERSION };

const GV = `${METRICS_GROUP}/${METRICS_VERSION}`;
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

// A simulated metrics.k8s.io/v1beta1 (what metrics-server serves through the aggregator), computed on the
// fly from the pods in the store (lib/api/metrics.ts): nothing is stored, so there is nothing to keep fresh.

/** Running pods of a namespace (all namespaces when undefined) with their metrics. */
async function listPodMetrics(
  store: Store,
  cluster: string,
  namespace?: string,
  selector?: (labels: Record<string, string> | undefined) => boolean,
) {
  const items = await store.listItems({ cluster, group: "", plural: "pods" }, namespace ? { namespace } : {});
  return podMetricsFor(items, selector);
}

function selectorOf(query: URLSearchParams) {
  const s = query.get("labelSelector");
  if (!s) return undefined;
  try {
    const sel = parseLabelSelector(s);
    return (labels: Record<string, string> | undefined) => sel.matches(labels ?? {});
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(`unable to parse requirement: ${e.message}`);
    throw e;
  }
}

/** GET on /apis/metrics.k8s.io/v1beta1/{nodes|pods}[...]. */
export async function handleMetrics(
  store: Store,
  cluster: string,
  path: ResourcePath,
  method: string,
  query: URLSearchParams,
): Promise<Response> {
  if (path.version !== METRICS_VERSION || path.subresource)
    throw errors.pathNotFound(`/apis/${path.group}/${path.version}/${path.plural}`);
  if (method !== "GET") throw errors.methodNotAllowed("the metrics API is read-only");
  const selector = selectorOf(query);
  const resource = { group: METRICS_GROUP, plural: path.plural };
  if (path.plural === "nodes") {
    if (path.namespace !== undefined) throw errors.pathNotFound("nodes are not namespaced");
    const [nodes, pods] = await Promise.all([
      store.list({ cluster, group: "", plural: "nodes" }),
      store.list({ cluster, group: "", plural: "pods" }),
    ]);
    const ts = now();
    if (path.name) {
      const node = nodes.items.find((n) => n.metadata.name === path.name);
      if (!node) throw errors.notFound(resource, path.name);
      return json(nodeMetricsOf(node, pods.items, ts), 200);
    }
    const items = nodes.items
      .filter((n) => !selector || selector(n.metadata.labels))
      .map((n) => nodeMetricsOf(n, pods.items, ts));
    return json({ kind: "NodeMetricsList", apiVersion: GV, metadata: {}, items }, 200);
  }
  if (path.plural === "pods") {
    const list = await listPodMetrics(store, cluster, path.namespace, selector);
    if (path.name) {
      const hit = list.find((x) => x.pod.metadata.name === path.name);
      if (!hit) throw errors.notFound(resource, path.name);
      return json(hit.metrics, 200);
    }
    return json(
      { kind: "PodMetricsList", apiVersion: GV, metadata: {}, items: list.map((x) => x.metrics) },
      200,
    );
  }
  throw errors.pathNotFound(`/apis/${GV}/${path.plural}`);
}

// ---- discovery: the group is served here rather than from the kinds registry (it has no storage) ----

const RESOURCES = [
  { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
  { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
];

const groupVersionEntry = { groupVersion: GV, version: METRICS_VERSION };

export function metricsApiGroup() {
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name: METRICS_GROUP,
    versions: [groupVersionEntry],
    preferredVersion: groupVersionEntry,
  };
}

export function metricsResourceList() {
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: GV, resources: RESOURCES };
}

/** Adds the metrics group to an APIGroupList (legacy) or an APIGroupDiscoveryList (aggregated) body. */
export function withMetricsGroup(body: any, aggregated: boolean): any {
  if (aggregated) {
    const item = {
      metadata: { name: METRICS_GROUP, creationTimestamp: null },
      versions: [
        {
          version: METRICS_VERSION,
          freshness: "Current",
          resources: RESOURCES.map((r) => ({
            resource: r.name,
            responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
            scope: r.namespaced ? "Namespaced" : "Cluster",
            singularResource: r.name === "nodes" ? "node" : "pod",
            verbs: r.verbs,
          })),
        },
      ],
    };
    return { ...body, items: [...(body.items ?? []), item] };
  }
  const { kind: _k, apiVersion: _a, ...group } = metricsApiGroup();
  return { ...body, groups: [...(body.groups ?? []), group] };
}
