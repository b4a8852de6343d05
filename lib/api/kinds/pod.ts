import { z } from "zod";
import type { FieldError, KubeObject } from "../types.ts";
import { age, col } from "./columns.ts";
import { containerSchema } from "./container.ts";
import { duplicate, invalid, nameErrors } from "./meta.ts";
import { intOrString, loose, podSpecSchema, podTemplateSchema, quantity } from "./podspec.ts";

// Pod defaulting, validation and printing, shared by every workload kind.

export const any = z.unknown();
export const podStatusSchema = z.looseObject({}).describe("Most recently observed status of the pod.");
export { containerSchema, intOrString, loose, podSpecSchema, podTemplateSchema, quantity };

type Obj = Record<string, any>;

function defaultProbe(pr: Obj | undefined): void {
  if (!pr || typeof pr !== "object") return;
  pr.timeoutSeconds ??= 1;
  pr.periodSeconds ??= 10;
  pr.successThreshold ??= 1;
  pr.failureThreshold ??= 3;
  if (pr.httpGet && typeof pr.httpGet === "object") {
    pr.httpGet.path ??= "/";
    pr.httpGet.scheme ??= "HTTP";
  }
  if (pr.grpc && typeof pr.grpc === "object") pr.grpc.service ??= "";
}

/** kubelet pulls `latest` (explicit or implied) every time, anything else only when absent. */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  if (image.includes("@")) return "IfNotPresent";
  const last = image.split("/").pop() ?? "";
  const tag = last.includes(":") ? last.slice(last.lastIndexOf(":") + 1) : "latest";
  return tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy && typeof c.image === "string") c.imagePullPolicy = defaultPullPolicy(c.image);
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  // Limits without requests mean requests equal to the limits (SetDefaults_Pod).
  const r = c.resources;
  if (r && typeof r === "object" && r.limits && typeof r.limits === "object") {
    r.requests = { ...r.limits, ...(r.requests ?? {}) };
  }
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (p && typeof p === "object") p.protocol ??= "TCP";
  for (const e of Array.isArray(c.env) ? c.env : [])
    if (e?.valueFrom?.fieldRef && typeof e.valueFrom.fieldRef === "object")
      e.valueFrom.fieldRef.apiVersion ??= "v1";
  for (const pr of [c.livenessProbe, c.readinessProbe, c.startupProbe]) defaultProbe(pr);
}

/** PodSpec defaults, as the apiserver's SetDefaults_PodSpec and SetDefaults_Container apply them. */
export function defaultPodSpec(spec: Obj | undefined): void {
  if (!spec || typeof spec !== "object") return;
  spec.restartPolicy ??= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  for (const c of [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
  ])
    if (c && typeof c === "object") defaultContainer(c);
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (!v || typeof v !== "object") continue;
    if (v.configMap && typeof v.configMap === "object") v.configMap.defaultMode ??= 420;
    if (v.secret && typeof v.secret === "object") v.secret.defaultMode ??= 420;
    if (v.hostPath && typeof v.hostPath === "object") v.hostPath.type ??= "";
  }
}

/** The QoS class the apiserver stamps on a new pod's status. */
export function qosClass(spec: Obj | undefined): "Guaranteed" | "Burstable" | "BestEffort" {
  const cs = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])] as Obj[];
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ["cpu", "memory"]) {
      if (lim[r] === undefined || String(req[r] ?? lim[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** IANA_SVC_NAME rules (validation.IsValidPortName). */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(name))
    errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(name)) errs.push("must contain at least one letter (a-z)");
  if (name.includes("--")) errs.push("must not contain consecutive hyphens (-)");
  if (name.startsWith("-") || name.endsWith("-")) errs.push("must not begin or end with a hyphen (-)");
  return errs;
}

export function validatePodSpec(spec: Obj | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!spec || typeof spec !== "object") return out;
  const vols = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: Obj, i: number) => {
    if (typeof v?.name !== "string") return;
    const f = `${path}.volumes[${i}].name`;
    for (const e of nameErrors(v.name, "label")) out.push(invalid(f, v.name, e));
    if (vols.has(v.name)) out.push(duplicate(f, v.name));
    vols.add(v.name);
  });
  const seen = new Set<string>();
  for (const list of ["initContainers", "containers"]) {
    (Array.isArray(spec[list]) ? spec[list] : []).forEach((c: Obj, i: number) => {
      const cp = `${path}.${list}[${i}]`;
      if (typeof c?.name === "string") {
        for (const e of nameErrors(c.name, "label")) out.push(invalid(`${cp}.name`, c.name, e));
        if (seen.has(c.name)) out.push(duplicate(`${cp}.name`, c.name));
        seen.add(c.name);
      }
      if (c?.image === "")
        out.push({ type: "FieldValueRequired", field: `${cp}.image`, message: "Required value" });
      (Array.isArray(c?.ports) ? c.ports : []).forEach((p: Obj, j: number) => {
        if (typeof p?.name === "string")
          for (const e of portNameErrors(p.name)) out.push(invalid(`${cp}.ports[${j}].name`, p.name, e));
      });
    });
  }
  return out;
}

interface Printed {
  ready: number;
  total: number;
  restarts: string;
  reason: string;
}

/** kubectl's pod printer (printPod in pkg/printers/internalversion), minus the rarely seen corners. */
export function printPod(o: KubeObject, now: Date): Printed {
  const spec = (o.spec ?? {}) as Obj;
  const status = (o.status ?? {}) as Obj;
  const phase = status.phase ?? "Pending";
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c: Obj) => c.type === "PodScheduled" && c.reason === "SchedulingGated"))
    reason = "SchedulingGated";
  let restarts = 0;
  let lastRestart = 0;
  const noteRestart = (s: Obj) => {
    restarts += s.restartCount ?? 0;
    const t = Date.parse(s.lastState?.terminated?.finishedAt ?? "");
    if (!Number.isNaN(t) && t > lastRestart) lastRestart = t;
  };
  const exitReason = (t: Obj) => (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`);
  let initializing = false;
  const inits = (status.initContainerStatuses ?? []) as Obj[];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    noteRestart(c);
    const t = c.state?.terminated;
    const w = c.state?.waiting;
    if (t && t.exitCode === 0) continue;
    if (c.started && (spec.initContainers ?? [])[i]?.restartPolicy === "Always") continue;
    initializing = true;
    if (t) reason = `Init:${t.reason || exitReason(t)}`;
    else if (w?.reason && w.reason !== "PodInitializing") reason = `Init:${w.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    break;
  }
  let ready = 0;
  const initialized = (status.conditions ?? []).some(
    (c: Obj) => c.type === "Initialized" && c.status === "True",
  );
  if (!initializing || initialized) {
    let hasRunning = false;
    const cs = (status.containerStatuses ?? []) as Obj[];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      noteRestart(c);
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated) reason = c.state.terminated.reason || exitReason(c.state.terminated);
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      const podReady = (status.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
      reason = podReady ? "Running" : "NotReady";
    }
  }
  if (o.metadata.deletionTimestamp) {
    if (status.reason === "NodeLost") reason = "Unknown";
    else if (phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";
  }
  const restartsStr =
    restarts && lastRestart
      ? `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)`
      : String(restarts);
  return { ready, total: (spec.containers ?? []).length, restarts: restartsStr, reason };
}

export const podColumns = [
  col(
    "Ready",
    (o, now) => {
      const p = printPod(o, now);
      return `${p.ready}/${p.total}`;
    },
    { description: "The aggregate readiness state of this pod for accepting traffic." },
  ),
  col("Status", (o, now) => printPod(o, now).reason, {
    description: "The aggregate status of the containers in this pod.",
  }),
  col("Restarts", (o, now) => printPod(o, now).restarts, {
    description:
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
  }),
];

export const podWideColumns = [
  col("IP", (o) => o.status?.podIP || "<none>", {
    priority: 1,
    description: "The IP address assigned to the pod.",
  }),
  col("Node", (o) => o.spec?.nodeName || "<none>", {
    priority: 1,
    description: "The name of the node the pod is assigned to.",
  }),
  col("Nominated Node", (o) => o.status?.nominatedNodeName || "<none>", {
    priority: 1,
    description: "The name of the node nominated by the scheduler to run the pod after preemption.",
  }),
  col(
    "Readiness Gates",
    (o) => {
      const gates = (o.spec?.readinessGates ?? []) as Obj[];
      if (!gates.length) return "<none>";
      const conds = (o.status?.conditions ?? []) as Obj[];
      const ok = gates.filter((g) =>
        conds.some((c) => c.type === g.conditionType && c.status === "True"),
      ).length;
      return `${ok}/${gates.length}`;
    },
    { priority: 1, description: "The readiness gates of the pod." },
  ),
];

export function containersAndImages(spec: any): { containers: string; images: string } {
  const cs = (Array.isArray(spec?.containers) ? spec.containers : []) as { name: string; image: string }[];
  return { containers: cs.map((c) => c.name).join(","), images: cs.map((c) => c.image).join(",") };
}

export { age };
