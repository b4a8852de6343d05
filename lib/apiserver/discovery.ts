import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
} from "../api/discovery.ts";
import { reviewKinds } from "../api/kinds/reviews.ts";
import { openapiV2Document, openapiV3Document, openapiV3Index } from "../api/openapi.ts";
import { OPENAPI_V2_PROTOBUF, openapiV2Protobuf } from "../api/protobuf/openapi-v2.ts";
import { errors } from "../api/status.ts";
import type { KindRegistry } from "../store/kind-registry.ts";
import { json } from "./handlers/write.ts";
import {
  METRICS_GROUP,
  METRICS_VERSION,
  metricsApiGroup,
  metricsResourceList,
  withMetricsGroup,
} from "./metrics.ts";
import type { ApiPath } from "./path.ts";

// Discovery and OpenAPI: what kubectl reads before anything else (api-resources, explain, apply validation).

const AGGREGATED = "apidiscovery.k8s.io";

function wantsAggregated(accept: string | null): boolean {
  if (!accept) return false;
  const first = accept.split(",")[0];
  return first.includes(`g=${AGGREGATED}`) && first.includes("as=APIGroupDiscoveryList");
}

function aggregatedResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": `application/json;g=${AGGREGATED};v=v2;as=APIGroupDiscoveryList` },
  });
}

export async function handleDiscovery(
  req: Request,
  path: ApiPath,
  cluster: string,
  registry: KindRegistry,
  prefix: string,
  /** The cluster's Kubernetes minor version ("1.32"). */
  version?: string,
): Promise<Response> {
  const kinds = [...(await registry.all(cluster)), ...reviewKinds];
  const accept = req.headers.get("accept");
  switch (path.type) {
    case "version":
      return json(versionInfo(version), 200);
    case "api":
      return wantsAggregated(accept)
        ? aggregatedResponse(aggregatedDiscovery(kinds, "api"))
        : json(apiVersions(), 200);
    case "apis":
      return wantsAggregated(accept)
        ? aggregatedResponse(withMetricsGroup(aggregatedDiscovery(kinds, "apis"), true))
        : json(withMetricsGroup(apiGroupList(kinds), false), 200);
    case "group": {
      if (path.group === METRICS_GROUP) return json(metricsApiGroup(), 200);
      const g = apiGroup(kinds, path.group);
      if (!g) throw errors.pathNotFound(`/apis/${path.group}`);
      return json(g, 200);
    }
    case "groupVersion": {
      if (path.group === METRICS_GROUP && path.version === METRICS_VERSION)
        return json(metricsResourceList(), 200);
      const gv = path.group ? `${path.group}/${path.version}` : path.version;
      const list = apiResourceList(kinds, gv);
      if (!list) throw errors.pathNotFound(path.group ? `/apis/${gv}` : `/api/${gv}`);
      return json(list, 200);
    }
    case "openapi": {
      if (path.version === "v2") {
        const doc = openapiV2Document(kinds);
        if (!req.headers.get("accept")?.includes(OPENAPI_V2_PROTOBUF)) return json(doc, 200);
        return new Response(openapiV2Protobuf(doc as never), {
          status: 200,
          // kube-openapi answers this (deprecated) media type as octet-stream: the "@" does not parse as a MIME type.
          headers: { "content-type": "application/octet-stream" },
        });
      }
      if (!path.groupVersion) return json(openapiV3Index(kinds, prefix), 200);
      const gv = path.groupVersion.replace(/^apis\//, "").replace(/^api\//, "");
      const doc = openapiV3Document(kinds, gv);
      if (!doc) throw errors.pathNotFound(`/openapi/v3/${path.groupVersion}`);
      return json(doc, 200);
    }
    default:
      throw errors.pathNotFound("");
  }
}
