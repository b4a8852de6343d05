import { parseQuantity } from "../../api/quantity.ts";
import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { AdmissionPlugin } from "./index.ts";

// LimitRanger: defaults container requests and limits from a namespace's LimitRanges, then checks min, max
// and maxLimitRequestRatio per Container and per Pod, with kube's messages. Runs before ResourceQuota so the
// quota sees the defaulted values.

type Any = any;
type Res = Record<string, unknown>;

interface LimitItem {
  type?: string;
  min?: Res;
  max?: Res;
  default?: Res;
  defaultRequest?: Res;
  maxLimitRequestRatio?: Res;
}

/** The LimitRange object's own defaulting (max → default → defaultRequest, min → defaultRequest). */
export function effectiveItem(item: LimitItem): LimitItem {
  const out: LimitItem = {
    ...item,
    default: { ...item.default },
    defaultRequest: { ...item.defaultRequest },
  };
  if ((item.type ?? "Container") !== "Container") return item;
  for (const [k, v] of Object.entries(item.max ?? {})) out.default![k] ??= v;
  for (const [k, v] of Object.entries(out.default!)) out.defaultRequest![k] ??= v;
  for (const [k, v] of Object.entries(item.min ?? {})) out.defaultRequest![k] ??= v;
  return out;
}

/** Fills missing requests and limits of every container, as kube's mergeContainerResources does. */
export function applyDefaults(pod: KubeObject, items: LimitItem[]): void {
  const spec = (pod.spec ?? {}) as Any;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const res = (c.resources ??= {});
    // Kube's defaulting (before admission there, after it here) gives a limit without a request that request.
    for (const [k, v] of Object.entries((res.limits ?? {}) as Res)) {
      res.requests ??= {};
      res.requests[k] ??= v;
    }
    for (const item of items) {
      if ((item.type ?? "Container") !== "Container") continue;
      for (const [k, v] of Object.entries(item.default ?? {})) {
        res.limits ??= {};
        res.limits[k] ??= v;
      }
      for (const [k, v] of Object.entries(item.defaultRequest ?? {})) {
        res.requests ??= {};
        res.requests[k] ??= v;
      }
    }
  }
}

function q(v: unknown): number {
  return parseQuantity(v);
}

function check(scope: "Container" | "Pod", item: LimitItem, requests: Res, limits: Res, out: string[]): void {
  for (const [r, min] of Object.entries(item.min ?? {})) {
    const req = requests[r];
    if (req === undefined) out.push(`minimum ${r} usage per ${scope} is ${min}.  No request is specified`);
    else if (q(req) < q(min)) out.push(`minimum ${r} usage per ${scope} is ${min}, but request is ${req}`);
  }
  for (const [r, max] of Object.entries(item.max ?? {})) {
    const lim = limits[r];
    if (lim === undefined) out.push(`maximum ${r} usage per ${scope} is ${max}.  No limit is specified`);
    else if (q(lim) > q(max)) out.push(`maximum ${r} usage per ${scope} is ${max}, but limit is ${lim}`);
  }
  for (const [r, ratio] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const lim = limits[r];
    const req = requests[r];
    if (lim === undefined) {
      out.push(`${r} max limit to request ratio per ${scope} is ${ratio}, but no limit is specified`);
    } else if (req === undefined || q(req) === 0) {
      out.push(
        `${r} max limit to request ratio per ${scope} is ${ratio}, but no request is specified or request is 0`,
      );
    } else if (q(lim) / q(req) > q(ratio)) {
      out.push(
        `${r} max limit to request ratio per ${scope} is ${ratio}, but provided ratio is ${(q(lim) / q(req)).toFixed(6)}`,
      );
    }
  }
}

/** Violations of the LimitRange items by a (defaulted) pod, in kube's wording. */
export function violations(pod: KubeObject, items: LimitItem[]): string[] {
  const spec = (pod.spec ?? {}) as Any;
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const out: string[] = [];
  for (const item of items) {
    const type = item.type ?? "Container";
    if (type === "Container") {
      for (const c of containers)
        check("Container", item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, out);
    } else if (type === "Pod") {
      const sum = (kind: "requests" | "limits") => {
        const names = new Set(Object.keys(item.min ?? {}).concat(Object.keys(item.max ?? {})));
        const r: Res = {};
        for (const n of names) {
          if (!(spec.containers ?? []).every((c: Any) => c.resources?.[kind]?.[n] !== undefined)) continue;
          const total = (spec.containers ?? []).reduce((s: number, c: Any) => s + q(c.resources[kind][n]), 0);
          r[n] = n === "cpu" ? `${Math.round(total * 1000)}m` : String(Math.round(total));
        }
        return r;
      };
      check("Pod", item, sum("requests"), sum("limits"), out);
    }
  }
  return out;
}

export const limitRangerAdmission: AdmissionPlugin = async (ctx, op, obj) => {
  if (op !== "CREATE" || ctx.kind.group !== "" || ctx.kind.plural !== "pods") return;
  const ranges = await ctx.store.listItems(
    { cluster: ctx.cluster, group: "", plural: "limitranges" },
    { namespace: obj.metadata.namespace ?? "" },
  );
  if (ranges.length === 0) return;
  const items = ranges.flatMap((lr) => ((lr.spec as Any)?.limits ?? []) as LimitItem[]).map(effectiveItem);
  applyDefaults(obj, items);
  const errs = violations(obj, items);
  if (errs.length === 0) return;
  throw errors.forbidden(
    `pods "${obj.metadata.name}" is forbidden: ${errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`}`,
    { group: "", plural: "pods" },
    obj.metadata.name,
  );
};
