import { createHash } from "node:crypto";
import { boolParam } from "../api/query.ts";
import { errors, StatusError } from "../api/status.ts";
import type { KubeObject } from "../api/types.ts";
import { objectKey, type ResourceContext } from "./context.ts";

// pods/{name}/log. There are no real containers, so a container's log is a deterministic function of the
// pod, the container and its start time: a "started" line, then a heartbeat line every 10 s of runtime, then
// an "exited" line if it terminated. The same request gives the same lines, and later requests only add lines.

const PERIOD_S = 10;

type Any = any;

interface ContainerRun {
  name: string;
  image: string;
  startedAt: number;
  /** Epoch ms when the run ended, undefined while it runs. */
  finishedAt?: number;
  exitCode?: number;
}

export interface LogLine {
  at: number;
  text: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function isoNano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

/** A short stable token per pod and container, so lines of different pods differ. */
function token(pod: KubeObject, container: string): string {
  return createHash("sha256")
    .update(`${pod.metadata.uid ?? pod.metadata.name}/${container}`)
    .digest("hex")
    .slice(0, 8);
}

/** All lines of one container run up to `until` (epoch ms). Pure. */
export function logLines(pod: KubeObject, run: ContainerRun, until: number): LogLine[] {
  const end = Math.min(until, run.finishedAt ?? until);
  const id = token(pod, run.name);
  const out: LogLine[] = [
    { at: run.startedAt, text: `${iso(run.startedAt)} ${run.name} started (image ${run.image})` },
  ];
  for (let n = 1; run.startedAt + n * PERIOD_S * 1000 <= end; n++) {
    const at = run.startedAt + n * PERIOD_S * 1000;
    out.push({
      at,
      text: `${iso(at)} ${run.name} heartbeat ${n} pod=${pod.metadata.name} id=${id} uptime=${n * PERIOD_S}s`,
    });
  }
  if (run.finishedAt !== undefined && run.finishedAt <= until) {
    out.push({
      at: run.finishedAt,
      text: `${iso(run.finishedAt)} ${run.name} exited with code ${run.exitCode ?? 0}`,
    });
  }
  return out;
}

function ms(s: unknown): number | undefined {
  if (typeof s !== "string") return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** The run a log request addresses, or the error kube gives for it. */
export function containerRun(pod: KubeObject, requested: string | null, previous: boolean): ContainerRun {
  const name = pod.metadata.name!;
  const spec = (pod.spec ?? {}) as Any;
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Any[];
  let container = requested ?? undefined;
  if (!container) {
    const main = (spec.containers ?? []) as Any[];
    const dflt = pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"];
    if (main.length === 1) container = main[0].name;
    else if (dflt) container = dflt;
    else
      throw errors.badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${main.map((c) => c.name).join(" ")}]`,
      );
  }
  const c = containers.find((x) => x.name === container);
  if (!c) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  if (!spec.nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const st = (pod.status ?? {}) as Any;
  const cs = [...(st.containerStatuses ?? []), ...(st.initContainerStatuses ?? [])].find(
    (x: Any) => x.name === container,
  );
  if (previous) {
    const t = cs?.lastState?.terminated;
    if (!t?.startedAt)
      throw errors.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    return {
      name: container!,
      image: c.image,
      startedAt: ms(t.startedAt)!,
      finishedAt: ms(t.finishedAt),
      exitCode: t.exitCode,
    };
  }
  const state = cs?.state ?? {};
  if (state.running?.startedAt)
    return { name: container!, image: c.image, startedAt: ms(state.running.startedAt)! };
  if (state.terminated?.startedAt)
    return {
      name: container!,
      image: c.image,
      startedAt: ms(state.terminated.startedAt)!,
      finishedAt: ms(state.terminated.finishedAt),
      exitCode: state.terminated.exitCode,
    };
  const reason = state.waiting?.reason ?? "ContainerCreating";
  throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
}

function intParam(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`${key}: Invalid value: "${v}"`);
  return n;
}

/** Applies sinceSeconds/sinceTime, tailLines and timestamps to the lines of a run. */
export function selectLines(lines: LogLine[], q: URLSearchParams, now: number): string[] {
  const sinceSeconds = intParam(q, "sinceSeconds");
  const sinceTime = ms(q.get("sinceTime"));
  let out = lines;
  if (sinceSeconds !== undefined) out = out.filter((l) => l.at >= now - sinceSeconds * 1000);
  if (sinceTime !== undefined) out = out.filter((l) => l.at >= sinceTime);
  const tail = intParam(q, "tailLines");
  if (tail !== undefined) out = out.slice(Math.max(0, out.length - tail));
  const ts = boolParam(q, "timestamps");
  return out.map((l) => (ts ? `${isoNano(l.at)} ${l.text}` : l.text));
}

async function readPod(ctx: ResourceContext, name: string): Promise<KubeObject | undefined> {
  return ctx.store.get(objectKey(ctx, name));
}

export async function podLog(ctx: ResourceContext, name: string): Promise<Response> {
  const pod = await readPod(ctx, name);
  if (!pod) throw errors.notFound({ group: "", plural: "pods" }, name);
  const q = ctx.query;
  const run = containerRun(pod, q.get("container"), boolParam(q, "previous"));
  const now = Date.now();
  let text = selectLines(logLines(pod, run, now), q, now)
    .map((l) => `${l}\n`)
    .join("");
  const limit = intParam(q, "limitBytes");
  if (limit !== undefined) text = text.slice(0, limit);
  const headers = { "content-type": "text/plain" };
  const follow = boolParam(q, "follow") && run.finishedAt === undefined && limit === undefined;
  if (!follow) return new Response(text, { status: 200, headers });
  return new Response(followStream(ctx, pod, run, text, now), { status: 200, headers });
}

/** Streams what exists, then each new heartbeat, until the client goes away or the container stops running. */
function followStream(
  ctx: ResourceContext,
  pod: KubeObject,
  run: ContainerRun,
  first: string,
  from: number,
): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const ts = boolParam(ctx.query, "timestamps");
  let sent = from;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode(first));
      const stop = () => {
        if (timer) clearTimeout(timer);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      ctx.signal.addEventListener("abort", stop, { once: true });
      const next = async () => {
        if (ctx.signal.aborted) return;
        try {
          const cur = await readPod(ctx, pod.metadata.name!);
          const alive = cur && cur.metadata.uid === pod.metadata.uid;
          const now = Date.now();
          const still = alive ? safeRun(cur, run.name) : undefined;
          const fresh = logLines(pod, { ...run, finishedAt: still?.finishedAt }, now).filter(
            (l) => l.at > sent,
          );
          for (const l of fresh)
            controller.enqueue(enc.encode(`${ts ? `${isoNano(l.at)} ` : ""}${l.text}\n`));
          sent = now;
          if (!still || still.startedAt !== run.startedAt || still.finishedAt !== undefined) return stop();
        } catch {
          return stop();
        }
        timer = setTimeout(next, 1000);
      };
      timer = setTimeout(next, 1000);
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
  });
}

function safeRun(pod: KubeObject, container: string): ContainerRun | undefined {
  try {
    return containerRun(pod, container, false);
  } catch (e) {
    if (e instanceof StatusError) return undefined;
    throw e;
  }
}
