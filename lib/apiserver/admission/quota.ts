import { amount, formatAmount, missingForPod, sourceOf, usageOf, usedBy } from "../../api/quota.ts";
import { errors } from "../../api/status.ts";
import type { KubeObject } from "../../api/types.ts";
import type { AdmissionPlugin } from "./index.ts";

// ResourceQuota admission: refuse a create that would take a namespace over a quota (what objects contribute
// is in lib/api/quota.ts). Every quota resource is contributed by exactly one kind, so a create only needs to
// list objects of its own kind. As in kube, concurrent creates are serialised by the quota's resourceVersion:
// an admitted create commits the quota with its new status.used in the same transaction (a companion write
// expecting the revision read here), so of two creates that read the same quota one fails that expectation
// and is admitted again against what the other committed. The quota is read before the objects, so a create
// that read the new quota also sees the object committed with it.

type Any = any;

function pretty(resources: string[], values: Record<string, number>): string {
  return resources.map((r) => `${r}=${formatAmount(r, values[r] ?? 0)}`).join(",");
}

/** The ResourceQuota admission plugin: refuse a create that would take a namespace over a quota. */
export const resourceQuotaAdmission: AdmissionPlugin = async (ctx, op, obj, _old, extras) => {
  if (op !== "CREATE" || !ctx.kind.namespaced) return;
  const namespace = obj.metadata.namespace ?? "";
  const { group, plural } = ctx.kind;
  const quotas = await ctx.store.listItems(
    { cluster: ctx.cluster, group: "", plural: "resourcequotas" },
    { namespace },
  );
  if (quotas.length === 0) return;
  const delta = usageOf(group, plural, obj);
  const forbid = (msg: string) =>
    errors.forbidden(
      `${plural}${group ? `.${group}` : ""} "${obj.metadata.name}" is forbidden: ${msg}`,
      {
        group,
        plural,
      },
      obj.metadata.name,
    );
  let existing: KubeObject[] | undefined;
  for (const q of quotas.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    const hard = ((q.spec as Any)?.hard ?? {}) as Record<string, unknown>;
    const tracked = Object.keys(hard).filter((r) => delta[r] !== undefined || sourceOfIs(r, group, plural));
    if (tracked.length === 0) continue;
    if (group === "" && plural === "pods" && Object.keys(delta).length > 0) {
      const missing = missingForPod(obj, hard);
      if (missing.length > 0)
        throw forbid(`failed quota: ${q.metadata.name}: must specify ${missing.join(",")}`);
    }
    existing ??= (await ctx.store.listItems({ cluster: ctx.cluster, group, plural }, { namespace })).filter(
      (o) => o.metadata.name !== obj.metadata.name,
    );
    const used = usedBy(hard, new Map([[`${group}/${plural}`, existing]]));
    const exceeded = tracked
      .filter((r) => (delta[r] ?? 0) > 0 && used[r] + (delta[r] ?? 0) > amount(r, hard[r]))
      .sort();
    if (exceeded.length === 0) {
      // A quota created under an existing quota's name is the store's 409 to give, not a companion write.
      const isSelf = group === "" && plural === "resourcequotas" && q.metadata.name === obj.metadata.name;
      if (extras && !isSelf && tracked.some((r) => (delta[r] ?? 0) !== 0))
        extras.writes.push(charged(ctx, q, tracked, used, delta));
      continue;
    }
    const limited = Object.fromEntries(exceeded.map((r) => [r, amount(r, hard[r])]));
    throw forbid(
      `exceeded quota: ${q.metadata.name}, requested: ${pretty(exceeded, delta)}, used: ${pretty(exceeded, used)}, limited: ${pretty(exceeded, limited)}`,
    );
  }
};

/** The quota with this create's usage added to status.used, to commit with the create. */
function charged(
  ctx: { cluster: string },
  q: KubeObject,
  tracked: string[],
  used: Record<string, number>,
  delta: Record<string, number>,
) {
  const status = (q.status ?? {}) as { hard?: Record<string, unknown>; used?: Record<string, string> };
  const next = { ...status.used };
  for (const r of tracked) next[r] = formatAmount(r, used[r] + (delta[r] ?? 0));
  return {
    key: {
      cluster: ctx.cluster,
      group: "",
      plural: "resourcequotas",
      namespace: q.metadata.namespace ?? "",
      name: q.metadata.name!,
    },
    obj: { ...q, status: { ...status, hard: status.hard ?? (q.spec as Any)?.hard, used: next } },
    expectRv: Number(q.metadata.resourceVersion),
  };
}

function sourceOfIs(resource: string, group: string, plural: string): boolean {
  const s = sourceOf(resource);
  return s !== undefined && s.group === group && s.plural === plural;
}
