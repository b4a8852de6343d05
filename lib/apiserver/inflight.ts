import { errors, StatusError } from "../api/status.ts";

// Limits like kube-apiserver's: at most `readonly` non-mutating and `mutating` mutating requests in flight
// (its --max-requests-inflight=400 and --max-mutating-requests-inflight=200 defaults), long-running requests
// (watches, log follows) excluded from those and capped per client instead, so one client's watches cannot
// exhaust a process's memory. Past a limit the answer is kube's 429 with Retry-After: 1. Per process, like
// kube's per apiserver.

export interface InFlightLimits {
  readonly: number;
  mutating: number;
  /** Long-running requests per client (cluster + user). */
  longRunningPerClient: number;
  /** Other requests answer 504 after this (kube's --request-timeout, 60 s). */
  requestTimeoutSeconds: number;
}

export const DEFAULT_LIMITS: InFlightLimits = {
  readonly: 400,
  mutating: 200,
  longRunningPerClient: 250,
  requestTimeoutSeconds: 60,
};

export function tooMany(): StatusError {
  return errors.tooManyRequests("Too many requests, please try again later.");
}

export class InFlight {
  private readonlyCount = 0;
  private mutatingCount = 0;
  private readonly longRunning = new Map<string, number>();

  constructor(private readonly limits: InFlightLimits = DEFAULT_LIMITS) {}

  /** Takes a slot or throws 429; the returned function gives it back (once). */
  acquire(kind: "readonly" | "mutating" | "long", client: string): () => void {
    if (kind === "long") {
      const n = this.longRunning.get(client) ?? 0;
      if (n >= this.limits.longRunningPerClient) throw tooMany();
      this.longRunning.set(client, n + 1);
      return once(() => {
        const left = (this.longRunning.get(client) ?? 1) - 1;
        if (left <= 0) this.longRunning.delete(client);
        else this.longRunning.set(client, left);
      });
    }
    if (kind === "mutating") {
      if (this.mutatingCount >= this.limits.mutating) throw tooMany();
      this.mutatingCount++;
      return once(() => this.mutatingCount--);
    }
    if (this.readonlyCount >= this.limits.readonly) throw tooMany();
    this.readonlyCount++;
    return once(() => this.readonlyCount--);
  }

  /** Long-running requests `client` holds now (for tests and metrics). */
  held(client: string): number {
    return this.longRunning.get(client) ?? 0;
  }
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}

/** The response, with `release` called when its body has been sent or abandoned. */
export function releaseWhenDone(res: Response, release: () => void): Response {
  if (!res.body) {
    release();
    return res;
  }
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          release();
          ctl.close();
        } else ctl.enqueue(value);
      } catch (e) {
        release();
        ctl.error(e);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/**
 * kube-apiserver's --request-timeout for requests that are not long-running: past it the client gets 504
 * Timeout while the work, as in kube, finishes on its own.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StatusError(504, "Timeout", "Timeout: request did not complete within the allotted timeout", {
            retryAfterSeconds: 1,
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
