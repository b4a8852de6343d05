import type { KubeObject } from "../api/types.ts";

// A simulated pod's life is a pure function of its spec, its knobs (docs/simulation.md) and the moment the
// kubelet started it. The kubelet evaluates that function at "now" and writes the result, then sleeps until
// the next moment anything changes. Timestamps come from the timeline, not the clock, so evaluating twice
// gives the same status and a redelivered work item writes nothing.

type Any = Record<string, any>;

export const KNOB = {
  runSeconds: "kumulus.io/run-seconds",
  exitCode: "kumulus.io/exit-code",
  crash: "kumulus.io/crash",
  probeFail: "kumulus.io/probe-fail",
  stopSeconds: "kumulus.io/stop-seconds",
} as const;

const INIT_DEFAULT_SECONDS = 1;
const JOB_DEFAULT_SECONDS = 1;
const CRASH_DEFAULT_SECONDS = 1;
const BACKOFF_BASE_SECONDS = 10;
const BACKOFF_MAX_SECONDS = 300;

interface Plan {
  /** Seconds a run lasts before the container exits; Infinity when it runs until deleted. */
  runFor: number;
  exitCode: number;
  reason: string;
  /** Seconds after start when the readiness probe first succeeds; Infinity when it never does. */
  readyAfter: number;
}

export interface PodTimeline {
  status: Any;
  /** Seconds from now until the status next changes; undefined when it will not change by itself. */
  nextInSeconds?: number;
}

/** `sleep 30`, `sh -c "sleep 30"`, `["sleep","30"]`: how long such a command runs. */
export function sleepSeconds(c: Any): number | undefined {
  const words = [...(c.command ?? []), ...(c.args ?? [])].join(" ");
  const m = /(?:^|[\s;&|"'])sleep\s+(\d+(?:\.\d+)?)(?:$|[\s;&|"'])/.exec(words);
  if (m) return Number(m[1]);
  if (/(?:^|[\s;&|"'])sleep\s+(infinity|inf)\b/.test(words)) return Number.POSITIVE_INFINITY;
  return undefined;
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function isJobPod(pod: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((o) => o.kind === "Job");
}

function plan(pod: KubeObject, c: Any, init: boolean): Plan {
  const a = pod.metadata.annotations ?? {};
  const crash = a[KNOB.crash] === "true";
  const knobRun = num(a[KNOB.runSeconds]);
  const probe = c.readinessProbe as Any | undefined;
  const probeFail = a[KNOB.probeFail];
  let runFor: number;
  if (init) runFor = sleepSeconds(c) ?? INIT_DEFAULT_SECONDS;
  else if (knobRun !== undefined) runFor = knobRun;
  else if (crash) runFor = CRASH_DEFAULT_SECONDS;
  else runFor = sleepSeconds(c) ?? (isJobPod(pod) ? JOB_DEFAULT_SECONDS : Number.POSITIVE_INFINITY);
  let exitCode = init ? 0 : (num(a[KNOB.exitCode]) ?? (crash ? 1 : 0));
  let reason = exitCode === 0 ? "Completed" : "Error";
  const live = c.livenessProbe as Any | undefined;
  if (!init && probeFail === "liveness" && live) {
    // The kubelet kills the container after failureThreshold failed probes.
    const killAt =
      (live.initialDelaySeconds ?? 0) + (live.periodSeconds ?? 10) * (live.failureThreshold ?? 3);
    if (killAt < runFor) {
      runFor = killAt;
      exitCode = 137;
      reason = "Error";
    }
  }
  let readyAfter = 0;
  if (probe)
    readyAfter =
      (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * ((probe.successThreshold ?? 1) - 1);
  if (!init && probeFail === "readiness") readyAfter = Number.POSITIVE_INFINITY;
  return { runFor, exitCode, reason, readyAfter };
}

function restarts(policy: string, exitCode: number): boolean {
  return policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
}

function backoff(n: number): number {
  return Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** n);
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

interface ContainerAt {
  status: Any;
  /** Absolute ms of this container's next change. */
  next?: number;
  ready: boolean;
  /** Absolute ms when the container became ready. */
  readyAt?: number;
  /** Terminated for good (will not restart). */
  done: boolean;
  exitCode?: number;
}

function containerAt(
  pod: KubeObject,
  c: Any,
  i: number,
  start: number,
  now: number,
  init: boolean,
): ContainerAt {
  const policy = init ? "OnFailure" : String((pod.spec as Any).restartPolicy ?? "Always");
  const p = plan(pod, c, init);
  const base = {
    name: c.name,
    image: c.image,
    imageID: `${c.image}@sha256:${"0".repeat(64)}`,
    containerID: `containerd://${String(pod.metadata.uid ?? "").replace(/-/g, "")}${init ? "i" : ""}${i}`,
  };
  let t = start;
  let count = 0;
  let last: Any | undefined;
  // A container that is not running: its state, and how its previous run ended.
  const stopped = (state: Any, previous: Any | undefined) => ({
    ...base,
    ready: false,
    started: false,
    restartCount: count,
    state,
    ...(previous ? { lastState: { terminated: previous } } : {}),
  });
  for (;;) {
    const end = t + p.runFor * 1000;
    if (now < end) {
      const readyAt = t + p.readyAfter * 1000;
      const ready = !init && now >= readyAt;
      const next = Math.min(end, ready ? Number.POSITIVE_INFINITY : readyAt);
      return {
        status: {
          ...base,
          ready,
          started: true,
          restartCount: count,
          state: { running: { startedAt: iso(t) } },
          ...(last ? { lastState: { terminated: last } } : {}),
        },
        next: Number.isFinite(next) ? next : undefined,
        ready,
        readyAt: ready ? readyAt : undefined,
        done: false,
      };
    }
    const terminated = {
      exitCode: p.exitCode,
      reason: p.reason,
      startedAt: iso(t),
      finishedAt: iso(end),
      containerID: base.containerID,
    };
    if (!restarts(policy, p.exitCode)) {
      return {
        status: stopped({ terminated }, last),
        ready: false,
        done: true,
        exitCode: p.exitCode,
      };
    }
    // A container that ran over 10 minutes resets its back-off, as the kubelet does.
    const wait = p.runFor >= 600 ? BACKOFF_BASE_SECONDS : backoff(count);
    const restartAt = end + wait * 1000;
    if (now < restartAt) {
      const message = `back-off ${wait}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
      return {
        status: stopped({ waiting: { reason: "CrashLoopBackOff", message } }, terminated),
        next: restartAt,
        ready: false,
        done: false,
      };
    }
    last = terminated;
    t = restartAt;
    count++;
  }
}

/** The pod's status at `now` for a kubelet that started it at `startMs`. */
export function podStatusAt(pod: KubeObject, startMs: number, now: number): PodTimeline {
  const spec = pod.spec as Any;
  const inits = (spec.initContainers ?? []) as Any[];
  const mains = (spec.containers ?? []) as Any[];
  const at = iso(startMs);
  const cond = (type: string, ok: boolean, since: string, reason?: string) => ({
    type,
    status: ok ? "True" : "False",
    lastProbeTime: null,
    lastTransitionTime: since,
    ...(reason && !ok ? { reason } : {}),
  });
  let next = Number.POSITIVE_INFINITY;
  const initStatuses: Any[] = [];
  let t = startMs;
  let initialized = true;
  for (const [i, c] of inits.entries()) {
    const s = containerAt(pod, c, i, t, now, true);
    if (!s.done) {
      initStatuses.push(s.status);
      if (s.next) next = Math.min(next, s.next);
      for (const rest of inits.slice(i + 1))
        initStatuses.push({
          name: rest.name,
          image: rest.image,
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: "PodInitializing" } },
        });
      initialized = false;
      break;
    }
    initStatuses.push(s.status);
    t = Date.parse(s.status.state.terminated.finishedAt);
  }
  const initDone = iso(t);
  const mainStatuses: Any[] = [];
  let allReady = initialized;
  let allDone = initialized;
  let anyFailed = false;
  let readyMs = t;
  for (const [i, c] of mains.entries()) {
    if (!initialized) {
      mainStatuses.push({
        name: c.name,
        image: c.image,
        imageID: "",
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: "PodInitializing" } },
      });
      continue;
    }
    const s = containerAt(pod, c, i, t, now, false);
    mainStatuses.push(s.status);
    if (s.next) next = Math.min(next, s.next);
    allReady &&= s.ready;
    if (s.readyAt) readyMs = Math.max(readyMs, s.readyAt);
    allDone &&= s.done;
    if (s.done && s.exitCode !== 0) anyFailed = true;
  }
  const phase = !initialized ? "Pending" : allDone ? (anyFailed ? "Failed" : "Succeeded") : "Running";
  const readySince = allReady ? iso(readyMs) : initDone;
  const status: Any = {
    phase,
    conditions: [
      cond("PodReadyToStartContainers", true, at),
      cond("Initialized", initialized, initialized ? initDone : at, "ContainersNotInitialized"),
      cond("Ready", allReady, readySince, allDone ? "PodCompleted" : "ContainersNotReady"),
      cond("ContainersReady", allReady, readySince, allDone ? "PodCompleted" : "ContainersNotReady"),
      cond("PodScheduled", true, at),
    ],
    startTime: at,
    containerStatuses: mainStatuses,
    ...(inits.length > 0 ? { initContainerStatuses: initStatuses } : {}),
  };
  return {
    status,
    nextInSeconds: Number.isFinite(next) ? Math.max(1, Math.ceil((next - now) / 1000)) : undefined,
  };
}
