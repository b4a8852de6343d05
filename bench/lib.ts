import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AwsKey, presignEksToken, signedHeaders } from "../lib/identity/sigv4-sign.ts";
import { freePort } from "../local/dynamodb.ts";
import { type Stack, startStack } from "../local/stack.ts";

// Shared pieces of the benchmarks: an in-process stack, percentiles, and the docs/benchmarks.md updater.

export const DOC = path.resolve(import.meta.dirname, "..", "docs", "benchmarks.md");

let admin: AwsKey | undefined;
const REGION = "us-east-1";

/**
 * Where the benchmarks' CA lives. kubectl sends credentials over TLS only, so benchmarks that drive kubectl
 * serve HTTPS; their own fetch trusts this CA through NODE_EXTRA_CA_CERTS, which Node reads at start, so
 * run-all.ts makes the CA before it starts them.
 */
export const BENCH_CA_DIR = path.join(tmpdir(), "kumulus-bench-ca");

export async function benchStack(opts: { tls?: boolean } = {}): Promise<Stack> {
  process.env.KUMULUS_LOG_LEVEL ??= "warn";
  if (opts.tls && process.env.NODE_EXTRA_CA_CERTS !== path.join(BENCH_CA_DIR, "ca.pem"))
    throw new Error(
      `this benchmark serves HTTPS: run it through npm run bench, or with NODE_EXTRA_CA_CERTS=${path.join(BENCH_CA_DIR, "ca.pem")} after npm run bench made the CA`,
    );
  const stack = await startStack({
    port: await freePort(),
    clusters: ["bench"],
    ...(opts.tls ? { caDir: BENCH_CA_DIR } : { http: true }),
  });
  admin = JSON.parse(readFileSync(path.join(stack.filesDir, "admin-key.json"), "utf8")) as AwsKey;
  return stack;
}

/** The stack's admin access key (admin-key.json), for benchmarks that sign their own tokens. */
export function benchAdminKey(): AwsKey {
  if (!admin) throw new Error("benchStack() first");
  return admin;
}

const KUBE_PATH = /^\/clusters\/([^/]+)\/(api|apis|version|openapi)(\/|$)/;
const tokens = new Map<string, { token: string; at: number }>();

/**
 * The credentials of a request to the bench stack, as the stack's admin: the bearer token of a cluster's
 * Kubernetes API, or a SigV4 signature for the EKS API.
 */
export async function authHeaders(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Record<string, string>> {
  if (!admin) throw new Error("benchStack() first");
  const u = new URL(url);
  const kube = KUBE_PATH.exec(u.pathname);
  if (!kube) return signedHeaders(url, init, admin, "eks", REGION);
  const cluster = decodeURIComponent(kube[1]);
  let t = tokens.get(cluster);
  if (!t || Date.now() - t.at > 5 * 60_000) {
    t = { token: await presignEksToken(u.origin, cluster, admin, REGION), at: Date.now() };
    tokens.set(cluster, t);
  }
  return { ...(init.headers ?? {}), authorization: `Bearer ${t.token}` };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

export function summarize(samples: number[]): { n: number; p50: number; p99: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), mean: round(mean) };
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Runs `op` with `concurrency` workers until `total` operations are done; returns per-op latencies (ms). */
export async function runConcurrent(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** Prints the result as one JSON line and replaces the benchmark's section in docs/benchmarks.md. */
export function report(name: string, result: unknown, markdown: string): void {
  process.stdout.write(
    `${JSON.stringify({ bench: name, at: new Date().toISOString(), ...(result as object) })}\n`,
  );
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  let doc = existsSync(DOC)
    ? readFileSync(DOC, "utf8")
    : "# Benchmarks\n\nMeasured with `npm run bench` on the development machine (2 cores).\n";
  const section = `${begin}\n${markdown.trim()}\n\n_Measured ${new Date().toISOString().slice(0, 10)}._\n${end}`;
  if (doc.includes(begin) && doc.includes(end)) {
    doc = doc.slice(0, doc.indexOf(begin)) + section + doc.slice(doc.indexOf(end) + end.length);
  } else doc = `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOC, doc);
}

export async function api(
  base: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const init = {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  const r = await fetch(`${base}${p}`, { ...init, headers: await authHeaders(`${base}${p}`, init) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Reads a watch response's newline-delimited events until the stream ends or is aborted. */
export async function readEvents(res: Response, onEvent: (ev: any, at: number) => void): Promise<void> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const at = performance.now();
      buf += dec.decode(value, { stream: true });
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        onEvent(JSON.parse(buf.slice(0, nl)), at);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
      }
    }
  } catch {
    // aborted
  }
}
