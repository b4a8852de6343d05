import { type MessageSpec, messages } from "../api/protobuf/schema.ts";
import { boolParam } from "../api/query.ts";
import { errors } from "../api/status.ts";
import { decodeBody, readBody } from "./body.ts";
import { json } from "./handlers/write.ts";

// autoscaling/v1 HorizontalPodAutoscaler as a view of the stored autoscaling/v2 object (`kubectl autoscale`
// still posts v1). Requests are converted and re-dispatched to the v2 endpoint of the same app, so admission,
// validation and storage are the v2 ones. Get, list, create, update and delete; no watch or patch.

type Any = any;

export function v1ToV2(o: Any): Any {
  const { targetCPUUtilizationPercentage: pct, ...spec } = o.spec ?? {};
  return {
    ...o,
    apiVersion: "autoscaling/v2",
    spec: {
      ...spec,
      ...(pct !== undefined
        ? {
            metrics: [
              {
                type: "Resource",
                resource: { name: "cpu", target: { type: "Utilization", averageUtilization: pct } },
              },
            ],
          }
        : {}),
    },
    status: undefined,
  };
}

export function v2ToV1(o: Any): Any {
  const { metrics, behavior: _b, ...spec } = o.spec ?? {};
  const cpu = (metrics ?? []).find((m: Any) => m.type === "Resource" && m.resource?.name === "cpu");
  const st = o.status ?? {};
  const currentCpu = (st.currentMetrics ?? []).find(
    (m: Any) => m.type === "Resource" && m.resource?.name === "cpu",
  );
  return {
    ...o,
    apiVersion: "autoscaling/v1",
    spec: {
      ...spec,
      ...(cpu?.resource?.target?.averageUtilization !== undefined
        ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization }
        : {}),
    },
    status: {
      ...(st.observedGeneration !== undefined ? { observedGeneration: st.observedGeneration } : {}),
      ...(st.lastScaleTime ? { lastScaleTime: st.lastScaleTime } : {}),
      currentReplicas: st.currentReplicas ?? 0,
      desiredReplicas: st.desiredReplicas ?? 0,
      ...(currentCpu?.resource?.current?.averageUtilization !== undefined
        ? { currentCPUUtilizationPercentage: currentCpu.resource.current.averageUtilization }
        : {}),
    },
  };
}

const V1_MESSAGES: Record<string, MessageSpec> = {
  HorizontalPodAutoscaler: {
    1: ["metadata", "ObjectMeta"],
    2: ["spec", "HorizontalPodAutoscalerSpec"],
    3: ["status", "HorizontalPodAutoscalerStatus"],
  },
  HorizontalPodAutoscalerSpec: {
    1: ["scaleTargetRef", "CrossVersionObjectReference"],
    2: ["minReplicas", "int32"],
    3: ["maxReplicas", "int32"],
    4: ["targetCPUUtilizationPercentage", "int32"],
  },
  HorizontalPodAutoscalerStatus: {},
  CrossVersionObjectReference: { 1: ["kind", "string"], 2: ["name", "string"], 3: ["apiVersion", "string"] },
};

/**
 * `kubectl autoscale` sends a v1 protobuf body. Its messages are registered only for this synchronous decode:
 * the v2 HorizontalPodAutoscaler message has other field numbers under the same kind name.
 */
function decodeV1(bytes: Buffer, contentType: string): Any {
  const added = Object.keys(V1_MESSAGES).filter((k) => !(k in messages));
  for (const k of added) messages[k] = V1_MESSAGES[k];
  try {
    return decodeBody(bytes, contentType);
  } finally {
    for (const k of added) delete messages[k];
  }
}

/** Serves /apis/autoscaling/v1/...horizontalpodautoscalers... by calling `dispatch` on the v2 path. */
export async function handleHpaV1(
  req: Request,
  rest: string,
  dispatch: (path: string, init: RequestInit) => Promise<Response>,
): Promise<Response> {
  const url = new URL(req.url);
  if (boolParam(url.searchParams, "watch"))
    throw errors.methodNotAllowed("watch autoscaling/v2 horizontalpodautoscalers instead");
  if (req.method === "PATCH")
    throw errors.methodNotAllowed("patch autoscaling/v2 horizontalpodautoscalers instead");
  const v2Path = rest.replace("/apis/autoscaling/v1/", "/apis/autoscaling/v2/") + url.search;
  let body: string | undefined;
  if (req.method === "POST" || req.method === "PUT") {
    const parsed = decodeV1(await readBody(req), req.headers.get("content-type") ?? "");
    body = JSON.stringify(v1ToV2(parsed));
  }
  const headers = new Headers(req.headers);
  headers.set("content-type", "application/json");
  headers.set("accept", "application/json");
  const res = await dispatch(v2Path, { method: req.method, headers, body });
  const out = (await res.json().catch(() => undefined)) as Any;
  if (res.status >= 400 || !out) return json(out ?? {}, res.status);
  if (out.kind === "HorizontalPodAutoscalerList")
    return json({ ...out, apiVersion: "autoscaling/v1", items: (out.items ?? []).map(v2ToV1) }, res.status);
  if (out.kind === "HorizontalPodAutoscaler") return json(v2ToV1(out), res.status);
  return json(out, res.status);
}
