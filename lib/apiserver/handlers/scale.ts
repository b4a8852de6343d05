import { getScale, setScaleReplicas } from "../../api/scale.ts";
import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceContext } from "../context.ts";

// The scale subresource presents an autoscaling/v1 Scale view of Deployments, ReplicaSets, StatefulSets and
// custom resources that declare it; writes to it change only spec.replicas of the underlying object.

function spec(ctx: ResourceContext) {
  const s = ctx.kind.subresources.scale;
  if (!s) throw errors.pathNotFound(`${ctx.kind.plural}/scale`);
  return s;
}

export function scaleOf(ctx: ResourceContext, obj: KubeObject): KubeObject {
  return getScale(obj, spec(ctx), ctx.kind) as KubeObject;
}

export function withScale(ctx: ResourceContext, old: KubeObject, scale: KubeObject): KubeObject {
  const replicas = (scale as { spec?: { replicas?: unknown } }).spec?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid("Scale", "autoscaling", old.metadata.name ?? "", [
      {
        type: "FieldValueInvalid",
        field: "spec.replicas",
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      },
    ]);
  }
  return setScaleReplicas(old, spec(ctx), replicas) as KubeObject;
}
