import { errors } from "../../api/status.ts";
import type { FieldError, KubeObject } from "../../api/types.ts";
import type { ResourceContext } from "../context.ts";
import type { AdmissionPlugin } from "./index.ts";

// The Priority admission plugin: a new pod's spec.priorityClassName becomes spec.priority (and its
// preemptionPolicy); a pod without one gets the globalDefault class, or priority 0. The two system classes
// are built in, as kube-apiserver creates them at start-up.

export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  "system-cluster-critical": 2000000000,
  "system-node-critical": 2000001000,
};

/** Highest value a user-defined PriorityClass may have (kube's HighestUserDefinablePriority). */
export const HIGHEST_USER_PRIORITY = 1000000000;

const PC = { group: "scheduling.k8s.io", plural: "priorityclasses" };

// Every pod create asks for the default class: cache the list briefly per cluster, and drop the entry
// when a PriorityClass is written through this process.
const defaults = new Map<string, { at: number; pc?: KubeObject }>();
const TTL_MS = 1000;

async function globalDefault(ctx: ResourceContext): Promise<KubeObject | undefined> {
  const hit = defaults.get(ctx.cluster);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.pc;
  const items = await ctx.store.listItems({ cluster: ctx.cluster, ...PC });
  // Several defaults can only exist through races; kube then takes the lowest value.
  const pc = items
    .filter((c) => (c as { globalDefault?: boolean }).globalDefault && !c.metadata.deletionTimestamp)
    .sort((a, b) => classValue(a) - classValue(b))[0];
  defaults.set(ctx.cluster, { at: Date.now(), pc });
  return pc;
}

const classValue = (pc: KubeObject): number => (pc as { value?: number }).value ?? 0;

export const priorityAdmission: AdmissionPlugin = async (ctx, op, obj) => {
  if (ctx.kind.group === PC.group && ctx.kind.plural === PC.plural) {
    defaults.delete(ctx.cluster);
    if (op === "CREATE") checkClass(obj);
    return;
  }
  if (op !== "CREATE" || ctx.kind.group !== "" || ctx.kind.plural !== "pods") return;
  const spec = (obj.spec ??= {}) as {
    priorityClassName?: string;
    priority?: number;
    preemptionPolicy?: string;
  };
  let value = 0;
  let policy: string | undefined;
  const name = spec.priorityClassName;
  if (!name) {
    const pc = await globalDefault(ctx);
    if (pc) {
      spec.priorityClassName = pc.metadata.name;
      value = classValue(pc);
      policy = (pc as { preemptionPolicy?: string }).preemptionPolicy;
    }
  } else if (name in SYSTEM_PRIORITY_CLASSES) {
    value = SYSTEM_PRIORITY_CLASSES[name];
  } else {
    const pc = await ctx.store.get({ cluster: ctx.cluster, ...PC, namespace: "", name });
    if (!pc) {
      throw errors.forbidden(
        `pods "${obj.metadata.name ?? obj.metadata.generateName ?? ""}" is forbidden: no PriorityClass with name ${name} was found`,
        { group: "", plural: "pods" },
        obj.metadata.name,
      );
    }
    value = classValue(pc);
    policy = (pc as { preemptionPolicy?: string }).preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
    throw errors.forbidden(
      `pods "${obj.metadata.name ?? ""}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
      { group: "", plural: "pods" },
      obj.metadata.name,
    );
  }
  spec.priority = value;
  if (policy) spec.preemptionPolicy = policy;
};

/** User classes may not take the system prefix or values above one billion. */
function checkClass(pc: KubeObject): void {
  const name = pc.metadata.name ?? "";
  const errs: FieldError[] = [];
  if (name.startsWith("system-") && !(name in SYSTEM_PRIORITY_CLASSES))
    errs.push({
      field: "metadata.name",
      type: "FieldValueForbidden",
      message: `Forbidden: priority class names with 'system-' prefix are reserved for system use only`,
    });
  if (classValue(pc) > HIGHEST_USER_PRIORITY && !(name in SYSTEM_PRIORITY_CLASSES))
    errs.push({
      field: "value",
      type: "FieldValueForbidden",
      message: `Forbidden: maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`,
    });
  if (errs.length) throw errors.invalid("PriorityClass", PC.group, name, errs);
}
