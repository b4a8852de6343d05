import { podMetricsFor } from "../api/metrics.ts";
import { parseQuantity } from "../api/quantity.ts";
import type { KubeObject } from "../api/types.ts";
import { containerRequest, containerUsages } from "../api/usage.ts";
import { isConflict, isStaleWrite } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { clientFor, now as nowIso, splitKey } from "../client/runtime.ts";
import { log } from "../log.ts";
import type { ControllerModule } from "../runtime/module.ts";
import { defaultStore } from "../runtime/store.ts";
import { requeueAfter } from "../runtime/timers.ts";
import type { WorkItem } from "../runtime/work.ts";
import {
  type Behavior,
  normalize,
  type PodSample,
  type Recommendation,
  replicasFor,
  type ScaleEvent,
  type Target,
} from "./hpa-calc.ts";

// HorizontalPodAutoscaler (autoscaling/v2): every sync period (KUMULUS_HPA_SYNC_SECONDS, default 15) and on
// HPA changes, read the simulated metrics (computed in process, not over HTTP), compute the desired replicas
// and scale the target through its scale subresource. Lambda keeps no memory between runs, so the
// stabilization recommendations and recent scale events live in status.kumulus (see hpa-calc.ts).

type Any = any;

const HPA_PATH = "/apis/autoscaling/v2/namespaces";
const PLURALS: Record<string, string> = {
  Deployment: "deployments",
  ReplicaSet: "replicasets",
  StatefulSet: "statefulsets",
  ReplicationController: "replicationcontrollers",
};

function syncSeconds(): number {
  const v = Number(process.env.KUMULUS_HPA_SYNC_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 15;
}

interface State {
  lastEvaluated?: number;
  recommendations?: Recommendation[];
  events?: ScaleEvent[];
}

function scalePath(namespace: string, ref: { apiVersion?: string; kind: string; name: string }): string {
  const apiVersion = ref.apiVersion ?? "apps/v1";
  const plural = PLURALS[ref.kind] ?? `${ref.kind.toLowerCase()}s`;
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}/namespaces/${namespace}/${plural}/${ref.name}/scale`;
}

function condition(prev: Any[], type: string, status: string, reason: string, message: string) {
  const old = prev.find((c) => c.type === type);
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : nowIso();
  return { type, status, lastTransitionTime, reason, message };
}

/** Pod samples for a Resource metric: usage and requests in millicores (cpu) or bytes (memory). */
function samples(pods: KubeObject[], running: Map<string, KubeObject>, resource: string): PodSample[] {
  const unit = resource === "cpu" ? 1000 : 1;
  return pods.map((p) => {
    const containers = ((p.spec as Any)?.containers ?? []) as Any[];
    const request = containers.reduce((s, c) => s + (containerRequest(c, resource as "cpu") ?? 0) * unit, 0);
    const live = running.get(p.metadata.name!);
    if (!live) return { request };
    const usage = containerUsages(live).reduce(
      (s, c) => s + (resource === "cpu" ? c.cpu / 1e6 : c.memory),
      0,
    );
    return { request, usage };
  });
}

function targetOf(resource: string, t: Any): Target {
  if (t?.type === "AverageValue" || (t?.averageValue !== undefined && t?.averageUtilization === undefined)) {
    const v = parseQuantity(t.averageValue);
    return { type: "AverageValue", value: resource === "cpu" ? v * 1000 : v };
  }
  return { type: "Utilization", value: Number(t?.averageUtilization ?? 80) };
}

function formatValue(resource: string, v: number): string {
  return resource === "cpu" ? `${Math.round(v)}m` : `${Math.round(v / 1024)}Ki`;
}

export async function reconcileHpa(item: WorkItem): Promise<void> {
  const { namespace, name } = splitKey(item.key);
  const api = clientFor(item.cluster, "horizontal-pod-autoscaler");
  const path = `${HPA_PATH}/${namespace}/horizontalpodautoscalers/${name}`;
  const hpa = await api.get(path);
  if (!hpa || hpa.metadata.deletionTimestamp) return;
  const spec = (hpa.spec ?? {}) as Any;
  const prevStatus = (hpa.status ?? {}) as Any;
  const state = (prevStatus.kumulus ?? {}) as State;
  const now = Date.now() / 1000;
  const period = syncSeconds();
  // Our own status write (and a second timer chain) wake us early: the latest evaluation's timer is pending.
  const fresh = state.lastEvaluated !== undefined && now - state.lastEvaluated < period * 0.8;
  if (fresh && prevStatus.observedGeneration === hpa.metadata.generation) return;

  const prevConds = (prevStatus.conditions ?? []) as Any[];
  const conditions: Any[] = [];
  const status: Any = {
    observedGeneration: hpa.metadata.generation,
    ...(prevStatus.lastScaleTime ? { lastScaleTime: prevStatus.lastScaleTime } : {}),
    currentReplicas: prevStatus.currentReplicas ?? 0,
    desiredReplicas: prevStatus.desiredReplicas ?? 0,
  };
  const nextState: State = { ...state, lastEvaluated: now };
  const finish = async () => {
    status.conditions = conditions;
    status.kumulus = nextState;
    try {
      await api.update(`${path}/status`, { ...hpa, status });
    } catch (e) {
      if (!isStaleWrite(e)) throw e;
      return; // the newer HPA version is reconciled again
    }
    await requeueAfter([{ queue: "controllers", item: { ...item, at: undefined }, afterSeconds: period }]);
  };

  const sp = scalePath(namespace, spec.scaleTargetRef ?? { kind: "", name: "" });
  const scale = await api.get(sp).catch(() => undefined);
  if (!scale) {
    conditions.push(
      condition(
        prevConds,
        "AbleToScale",
        "False",
        "FailedGetScale",
        `the HPA controller was unable to get the target's current scale: ${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name} not found`,
      ),
    );
    return finish();
  }
  const current = Number((scale.spec as Any)?.replicas ?? 0);
  status.currentReplicas = Number((scale.status as Any)?.replicas ?? current);
  const min = Number(spec.minReplicas ?? 1);
  const max = Number(spec.maxReplicas ?? 1);
  if (current === 0 && min !== 0) {
    status.desiredReplicas = 0;
    conditions.push(
      condition(
        prevConds,
        "AbleToScale",
        "True",
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
      ),
    );
    conditions.push(
      condition(
        prevConds,
        "ScalingActive",
        "False",
        "ScalingDisabled",
        "scaling is disabled since the replica count of the target is zero",
      ),
    );
    return finish();
  }

  // Pods of the target: those with metrics, and those counted as missing (not running yet, not terminal).
  const selector = String((scale.status as Any)?.selector ?? "");
  const { items } = await api.list(
    `/api/v1/namespaces/${namespace}/pods${selector ? `?labelSelector=${encodeURIComponent(selector)}` : ""}`,
  );
  const pods = items.filter((p) => {
    const phase = (p.status as Any)?.phase;
    return !p.metadata.deletionTimestamp && phase !== "Failed" && phase !== "Succeeded";
  });
  const all = await defaultStore().listItems(
    { cluster: item.cluster, group: "", plural: "pods" },
    { namespace },
  );
  const withMetrics = podMetricsFor(all);
  const running = new Map(withMetrics.map((m) => [m.pod.metadata.name!, m.pod]));

  let desired = 0;
  let error: string | undefined;
  let which = "";
  const currentMetrics: Any[] = [];
  for (const m of (spec.metrics ?? []) as Any[]) {
    const res =
      m.type === "Resource" ? m.resource : m.type === "ContainerResource" ? m.containerResource : undefined;
    if (!res || (res.name !== "cpu" && res.name !== "memory")) {
      error ??= `unsupported metric type ${m.type}${res?.name ? ` (${res.name})` : ""}`;
      continue;
    }
    const target = targetOf(res.name, res.target);
    try {
      const r = replicasFor(current, samples(pods, running, res.name), target);
      currentMetrics.push({
        type: "Resource",
        resource: {
          name: res.name,
          current: {
            ...(r.utilization !== undefined ? { averageUtilization: r.utilization } : {}),
            averageValue: formatValue(res.name, r.average),
          },
        },
      });
      if (r.replicas > desired) {
        desired = r.replicas;
        which = `${res.name} resource${target.type === "Utilization" ? " utilization (percentage of request)" : ""}`;
      }
    } catch (e) {
      error ??= `failed to get ${res.name} utilization: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  conditions.push(
    condition(prevConds, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size"),
  );
  if (currentMetrics.length === 0) {
    conditions.push(
      condition(
        prevConds,
        "ScalingActive",
        "False",
        "FailedGetResourceMetric",
        `the HPA was unable to compute the replica count: ${error ?? "no metrics"}`,
      ),
    );
    status.desiredReplicas = current;
    return finish();
  }
  status.currentMetrics = currentMetrics;
  conditions.push(
    condition(
      prevConds,
      "ScalingActive",
      "True",
      "ValidMetricFound",
      `the HPA was able to successfully calculate a replica count from ${which}`,
    ),
  );

  const n = normalize({
    now,
    current,
    desired,
    min,
    max,
    behavior: spec.behavior as Behavior | undefined,
    recommendations: state.recommendations ?? [],
    events: (state.events ?? []).filter((e) => e.t > now - 1800),
  });
  nextState.recommendations = n.recommendations;
  nextState.events = (state.events ?? []).filter((e) => e.t > now - 1800);
  conditions.push(
    n.limitedReason
      ? condition(prevConds, "ScalingLimited", "True", n.limitedReason, n.limitedMessage ?? "")
      : condition(
          prevConds,
          "ScalingLimited",
          "False",
          "DesiredWithinRange",
          "the desired count is within the acceptable range",
        ),
  );
  status.desiredReplicas = n.replicas;
  if (n.replicas !== current) {
    try {
      await api.update(sp, { ...scale, spec: { ...(scale.spec as Any), replicas: n.replicas } });
    } catch (e) {
      if (isConflict(e)) throw e; // retried with a fresh scale
      conditions[0] = condition(
        prevConds,
        "AbleToScale",
        "False",
        "FailedUpdateScale",
        `the HPA controller was unable to update the target scale: ${e instanceof Error ? e.message : String(e)}`,
      );
      return finish();
    }
    log("info", "hpa rescale", {
      cluster: item.cluster,
      hpa: item.key,
      from: current,
      to: n.replicas,
      desired,
    });
    nextState.events.push({ t: now, change: n.replicas - current });
    // kube's wording, so `kubectl describe hpa` explains each rescale.
    const why = n.replicas > current && which ? `${which} above target` : "All metrics below target";
    await recordEvent(
      api,
      hpa,
      "Normal",
      "SuccessfulRescale",
      `New size: ${n.replicas}; reason: ${why}`,
      "horizontal-pod-autoscaler",
    );
    status.lastScaleTime = nowIso();
    conditions[0] = condition(
      prevConds,
      "AbleToScale",
      "True",
      "SucceededRescale",
      `the HPA controller was able to update the target scale to ${n.replicas}`,
    );
  }
  return finish();
}

export const hpaController: ControllerModule = {
  name: "hpa",
  route(ch, emit) {
    if (ch.group === "autoscaling" && ch.plural === "horizontalpodautoscalers" && ch.type !== "DELETED")
      emit("controllers", "hpa", `${ch.namespace}/${ch.name}`);
  },
  reconcilers: { controllers: { hpa: reconcileHpa } },
};
