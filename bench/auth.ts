import { AwsAuth } from "../lib/edge/aws-auth.ts";
import { IamAuthenticator } from "../lib/edge/kube-authn.ts";
import { DynamoEksRepo } from "../lib/eks/dynamo-repo.ts";
import { DynamoIamRepo } from "../lib/identity/iam/dynamo-repo.ts";
import { type AwsKey, presignEksToken, signedHeaders } from "../lib/identity/sigv4-sign.ts";
import { runtimeEnv } from "../lib/runtime/env.ts";
import { defaultStore } from "../lib/runtime/store.ts";
import { benchAdminKey, benchStack, report, round, runConcurrent, summarize } from "./lib.ts";

// The cost of authenticating a Kubernetes API request with an `aws eks get-token` token, next to the same
// request without it. Over HTTP (one client, the kinds interleaved request by request so drift hits all
// alike): GET /version anonymously (a public path: the same server work minus authentication, the baseline),
// anonymously with a dummy header as long as the token's (the baseline plus the bytes a bearer token adds),
// with one token repeated (verified-token cache hits) and with a never-seen token every time (cold: parse,
// key lookup, signature recomputed); and GET of the namespace `default` (a store read) cached and cold. In
// process: the IamAuthenticator alone over the same kinds of token, so the authentication share of a get can
// be subtracted from it (a second baseline). Then the /version kinds at 8 clients, for throughput.

const N = Number(process.env.BENCH_OPS ?? 300);
const CONCURRENT = 8;
const CLUSTER = "bench";
const REGION = "us-east-1";
const GOAL = 1.2;

const stack = await benchStack();
const base = `${stack.url}/clusters/${CLUSTER}`;
const VERSION = "/version";
const NS = "/api/v1/namespaces/default";

// A second key of the admin user (IAM allows two), so twice as many distinct tokens fit in a token's 15 minutes.
async function secondKey(admin: AwsKey): Promise<AwsKey> {
  const body = "Action=CreateAccessKey&UserName=kumulus-admin&Version=2010-05-08";
  const init = {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
  };
  const r = await fetch(`${stack.url}/`, {
    ...init,
    headers: await signedHeaders(`${stack.url}/`, init, admin, "iam", REGION),
  });
  const xml = await r.text();
  const id = /<AccessKeyId>([^<]+)</.exec(xml)?.[1];
  const secret = /<SecretAccessKey>([^<]+)</.exec(xml)?.[1];
  if (!r.ok || !id || !secret) throw new Error(`CreateAccessKey ${r.status}: ${xml.slice(0, 300)}`);
  return { accessKeyId: id, secretAccessKey: secret };
}
const keys = [benchAdminKey(), await secondKey(benchAdminKey())];

// Distinct tokens: one per key and signing second, walking back from now and never reusing a (key, second)
// the server has seen (a token is good for 15 minutes after its X-Amz-Date).
const used = keys.map(() => new Set<number>());
async function coldTokens(n: number, fresh = true): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000) - 1;
  const out: string[] = [];
  const seen = keys.map(() => new Set<number>());
  for (let back = 0; out.length < n; back++) {
    if (back > 780) throw new Error("no more distinct token dates");
    for (const [k, key] of keys.entries()) {
      const s = now - back;
      const taken = fresh ? used[k] : seen[k];
      if (out.length >= n || taken.has(s)) continue;
      taken.add(s);
      out.push(await presignEksToken(stack.url, CLUSTER, key, REGION, new Date(s * 1000)));
    }
  }
  return out;
}
const cachedToken = (await coldTokens(1))[0];

/** A header as long as an Authorization header with a token, on an anonymous request. */
const padding = { "x-padding": "x".repeat(`Bearer ${cachedToken}`.length) };

async function get(path: string, token?: string, padded = false): Promise<number> {
  const t = performance.now();
  const r = await fetch(`${base}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : padded ? padding : {},
  });
  await r.arrayBuffer();
  const ms = performance.now() - t;
  if (r.status !== 200) throw new Error(`GET ${path} ${token ? "with a token" : "anonymous"}: ${r.status}`);
  return ms;
}

// Warm-up: connections, JIT, the server's caches (cluster, aws-auth, access key, RBAC).
for (let i = 0; i < 50; i++) {
  await get(VERSION);
  await get(VERSION, cachedToken);
  await get(NS, cachedToken);
}

// HTTP, one client, the kinds interleaved and rotated per round.
const coldV = await coldTokens(N);
const coldNs = await coldTokens(N);
const kinds = {
  versionAnonymous: (_i: number) => get(VERSION),
  versionPadded: (_i: number) => get(VERSION, undefined, true),
  versionCached: (_i: number) => get(VERSION, cachedToken),
  versionCold: (i: number) => get(VERSION, coldV[i]),
  nsCached: (_i: number) => get(NS, cachedToken),
  nsCold: (i: number) => get(NS, coldNs[i]),
};
const names = Object.keys(kinds) as (keyof typeof kinds)[];
const samples = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<
  keyof typeof kinds,
  number[]
>;
for (let i = 0; i < N; i++)
  for (let j = 0; j < names.length; j++) {
    const k = names[(i + j) % names.length];
    samples[k].push(await kinds[k](i));
  }
const http = Object.fromEntries(names.map((k) => [k, summarize(samples[k])])) as Record<
  keyof typeof kinds,
  ReturnType<typeof summarize>
>;

// In process: the authenticator alone, built as functions/apiserver builds it, over the stack's tables.
const env = runtimeEnv();
const store = defaultStore();
const eksRepo = new DynamoEksRepo(store);
const newAuthn = () => {
  const aws = new AwsAuth(
    new DynamoIamRepo(env.ddb, env.tables.identity),
    process.env.KUMULUS_ACCOUNT_ID ?? "000000000000",
  );
  const authn = new IamAuthenticator({
    aws,
    store,
    doc: async (name) => (await eksRepo.get(name))?.doc,
    ownHosts: () => new Set([new URL(stack.url).host]),
  });
  return { aws, authn };
};
const requestWith = (token: string) =>
  new Request(`${base}${NS}`, { headers: { authorization: `Bearer ${token}` } });
async function timeAuthn(
  tokens: string[],
  forgetKeys = false,
): Promise<{ us: ReturnType<typeof summarize>; hits: number; misses: number }> {
  const { aws, authn } = newAuthn();
  const warm = requestWith((await coldTokens(1, false))[0]);
  for (let i = 0; i < 20; i++) await authn.authenticator(warm, CLUSTER); // caches, JIT
  authn.verified.clear();
  const h0 = { ...authn.verified.stats };
  const lat: number[] = [];
  for (const token of tokens) {
    const req = requestWith(token);
    if (forgetKeys) aws.forget(); // the next lookup reads DynamoDB
    const t = performance.now();
    const c = await authn.authenticator(req, CLUSTER);
    lat.push((performance.now() - t) * 1000);
    if (!c) throw new Error("token not authenticated");
  }
  return {
    us: summarize(lat),
    hits: authn.verified.stats.hits - h0.hits,
    misses: authn.verified.stats.misses - h0.misses,
  };
}
const sameToken = (await coldTokens(1, false))[0];
const inProcess = {
  cached: await timeAuthn(Array.from({ length: N }, () => sameToken)),
  cold: await timeAuthn(await coldTokens(N, false)),
  coldKey: await timeAuthn(await coldTokens(N, false), true),
};
if (inProcess.cold.hits !== 0 || inProcess.cached.hits < N - 1) throw new Error("unexpected cache behaviour");

// Throughput at 8 clients: twice N requests per kind, in rounds of 25 per kind, the kinds rotated per round
// (throughput drifts with the stack's background loops; short rotated rounds spread that over every kind).
const CONC_N = 2 * N;
const coldC = await coldTokens(CONC_N);
const ROUND = 25;
const concKinds = {
  versionAnonymous: () => get(VERSION),
  versionPadded: () => get(VERSION, undefined, true),
  versionCached: () => get(VERSION, cachedToken),
  versionCold: () => get(VERSION, coldC.pop()!),
};
const concNames = Object.keys(concKinds) as (keyof typeof concKinds)[];
const conc = Object.fromEntries(concNames.map((k) => [k, { latencies: [] as number[], seconds: 0 }]));
for (let r = 0; r * ROUND < CONC_N; r++)
  for (let j = 0; j < concNames.length; j++) {
    const k = concNames[(r + j) % concNames.length];
    const n = Math.min(ROUND, CONC_N - r * ROUND);
    const out = await runConcurrent(n, CONCURRENT, async () => void (await concKinds[k]()));
    conc[k].latencies.push(...out.latencies);
    conc[k].seconds += out.seconds;
  }
await stack.stop();

const ratio = (a: number, b: number) => round(a / b);
const anon = http.versionAnonymous;
const padded = http.versionPadded;
// The namespace get's baseline: its cached p50 minus the authenticator's own cached p50 in process (p50
// only: percentiles of a difference are not differences of percentiles).
const nsUnauthP50 = round(http.nsCached.p50 - inProcess.cached.us.p50 / 1000);
const ratios = {
  versionCachedP50: ratio(http.versionCached.p50, anon.p50),
  versionCachedP99: ratio(http.versionCached.p99, anon.p99),
  versionColdP50: ratio(http.versionCold.p50, anon.p50),
  versionColdP99: ratio(http.versionCold.p99, anon.p99),
  versionCachedVsPaddedP50: ratio(http.versionCached.p50, padded.p50),
  versionColdVsPaddedP50: ratio(http.versionCold.p50, padded.p50),
  nsCachedVsNoAuthnP50: ratio(http.nsCached.p50, nsUnauthP50),
  nsColdVsNoAuthnP50: ratio(http.nsCold.p50, nsUnauthP50),
};
const addedMs = {
  cached: round(http.versionCached.p50 - anon.p50),
  cold: round(http.versionCold.p50 - anon.p50),
  header: round(padded.p50 - anon.p50),
};
const concRows = concNames.map((k) => {
  const s = summarize(conc[k].latencies);
  return {
    kind: k,
    p50: s.p50,
    p99: s.p99,
    mean: s.mean,
    opsPerSec: round(conc[k].latencies.length / conc[k].seconds, 0),
  };
});
const ops = Object.fromEntries(concRows.map((r) => [r.kind, r.opsPerSec])) as Record<string, number>;
// At 8 clients the cost of a request is the inverse of throughput.
const concRatios = {
  cached: ratio(ops.versionAnonymous, ops.versionCached),
  cold: ratio(ops.versionAnonymous, ops.versionCold),
  cachedVsPadded: ratio(ops.versionPadded, ops.versionCached),
  coldVsPadded: ratio(ops.versionPadded, ops.versionCold),
};
const goal = {
  oneClientP50: ratios.versionCachedP50 <= GOAL,
  eightClientsThroughput: concRatios.cached <= GOAL,
};
const pick = (s: ReturnType<typeof summarize>) => ({ p50: s.p50, p99: s.p99 });
const verdict = (ok: boolean) => (ok ? "met" : "missed");

const row = (what: string, token: string, s: ReturnType<typeof summarize>, vs: string) =>
  `| ${what} | ${token} | ${s.p50} | ${s.p99} | ${vs} |`;
const us = (s: ReturnType<typeof summarize>) => `${round(s.p50, 0)} | ${round(s.p99, 0)}`;
const label: Record<string, string> = {
  versionAnonymous: "none (baseline)",
  versionPadded: "none, same-size dummy header",
  versionCached: "cached",
  versionCold: "cold",
};
const md = [
  "## Authentication (`bench/auth.ts`)",
  "",
  `${N} requests per kind from one client over HTTP, the kinds interleaved request by request. A token is an`,
  "`aws eks get-token` token of the stack's admin. Cached = the same token every time (the verified-token",
  "cache of `lib/edge/kube-authn.ts`: the key is still looked up, through AwsAuth's 5 s cache, and the",
  "principal mapped; the signature is not recomputed). Cold = a never-seen token every time (parse, key",
  "lookup, signature recomputed); the key lookup itself is usually a hit of AwsAuth's cache, since all tokens",
  "come from two keys. Baseline = `GET /version` with no `Authorization` header: a public path, the same",
  "server work minus authentication. A second anonymous kind carries a dummy header as long as the token's,",
  "to tell the cost of a request's extra ~0.5 KB from the cost of checking it.",
  "",
  "| request | token | p50 ms | p99 ms | ÷ baseline p50 (p99) |",
  "|---|---|---|---|---|",
  row("GET /version", label.versionAnonymous, anon, "1×"),
  row(
    "GET /version",
    label.versionPadded,
    padded,
    `${ratio(padded.p50, anon.p50)}× (${ratio(padded.p99, anon.p99)}×)`,
  ),
  row(
    "GET /version",
    "cached",
    http.versionCached,
    `${ratios.versionCachedP50}× (${ratios.versionCachedP99}×)`,
  ),
  row("GET /version", "cold", http.versionCold, `${ratios.versionColdP50}× (${ratios.versionColdP99}×)`),
  row("GET namespace default", "cached", http.nsCached, `${ratios.nsCachedVsNoAuthnP50}× (p50 only)`),
  row("GET namespace default", "cold", http.nsCold, `${ratios.nsColdVsNoAuthnP50}× (p50 only)`),
  "",
  `Added to the baseline's p50 over HTTP: ${addedMs.cached} ms by a cached token, ${addedMs.cold} ms by a cold one,`,
  `${addedMs.header} ms by the same-size dummy header alone. The namespace get's baseline is its cached p50`,
  `minus the authenticator's own cached p50 below: ${nsUnauthP50} ms.`,
  "",
  `The authenticator alone, in process (${N} calls each, µs; includes the principal mapping on every call):`,
  "",
  "| token | p50 µs | p99 µs | cache hits / misses |",
  "|---|---|---|---|",
  `| cached | ${us(inProcess.cached.us)} | ${inProcess.cached.hits} / ${inProcess.cached.misses} |`,
  `| cold, key lookup cached | ${us(inProcess.cold.us)} | ${inProcess.cold.hits} / ${inProcess.cold.misses} |`,
  `| cold, key read from DynamoDB | ${us(inProcess.coldKey.us)} | ${inProcess.coldKey.hits} / ${inProcess.coldKey.misses} |`,
  "",
  `GET /version at ${CONCURRENT} clients, ${CONC_N} requests per kind (in rounds of ${ROUND}, the kinds rotated); cost`,
  "ratio = baseline ops/s ÷ ops/s (equally, mean latency ÷ the baseline's: with a fixed number of clients the",
  "mean is clients ÷ throughput; the p50 also moves with the shape of the distribution):",
  "",
  "| token | p50 ms | p99 ms | mean ms | ops/s | cost ÷ baseline |",
  "|---|---|---|---|---|---|",
  ...concRows.map(
    (r) =>
      `| ${label[r.kind]} | ${r.p50} | ${r.p99} | ${r.mean} | ${r.opsPerSec} | ${ratio(ops.versionAnonymous, r.opsPerSec)}× |`,
  ),
  "",
  `Goal: an authenticated get costs at most ${GOAL}× an unauthenticated one. One client, cached token, p50:`,
  `${ratios.versionCachedP50}×, ${verdict(goal.oneClientP50)}. ${CONCURRENT} clients, cached token, throughput:`,
  `${concRatios.cached}×, ${verdict(goal.eightClientsThroughput)} (against the same-size dummy header:`,
  `${concRatios.cachedVsPadded}×).`,
].join("\n");
report(
  "auth",
  {
    perKind: N,
    concurrentPerKind: CONC_N,
    http: Object.fromEntries(names.map((k) => [k, pick(http[k])])),
    nsNoAuthnP50: nsUnauthP50,
    authnAddedP50Ms: addedMs,
    inProcessUs: Object.fromEntries(Object.entries(inProcess).map(([k, v]) => [k, pick(v.us)])),
    concurrent: concRows,
    ratios,
    concurrentRatios: concRatios,
    goal: GOAL,
    goalMet: goal,
  },
  md,
);
process.exit(0);
