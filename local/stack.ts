import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import { ensureAdmin } from "../lib/identity/iam/bootstrap.ts";
import { DynamoIamRepo } from "../lib/identity/iam/dynamo-repo.ts";
import { signedHeaders } from "../lib/identity/sigv4-sign.ts";
import { log } from "../lib/log.ts";
import { localDynamoCredentials, resetRuntimeEnv, runtimeEnv } from "../lib/runtime/env.ts";
import { onCommitted } from "../lib/store/committer.ts";
import { functions, type QueueName, queueEnvVar, type TableName, tableEnvVar } from "../lib/topology.ts";
import { triggerWiring } from "../lib/topology-wiring.ts";
import { writeAwsEnv } from "./aws-env.ts";
import { type DynamoLocal, startDynamoLocal } from "./dynamodb.ts";
import { provisionQueues, provisionTables } from "./provision.ts";
import { SqsPoller } from "./sqs-poller.ts";
import { StreamPoller } from "./stream-poller.ts";
import { loadOrCreateTls } from "./tls.ts";

// The local stack: the same function handlers as on AWS, on DynamoDB Local and the in-process SQS emulator
// (or on AWS_ENDPOINT_URL, e.g. LocalStack), with pollers in place of Lambda's event source mappings and one
// HTTP server in place of the function URL.

export interface StackOptions {
  port: number;
  host?: string;
  /** Persist state here; undefined keeps everything in memory. */
  dataDir?: string;
  stage?: string;
  /** Nodes of the first cluster's managed node group `ng-default` (none when 0). */
  nodes?: number;
  /** Their instance type (m5.large by default). */
  nodeType?: string;
  /** Clusters to ensure at start (the default is `local`). */
  clusters?: string[];
  /** Serve plain HTTP instead of HTTPS (an explicit opt-in). */
  http?: boolean;
  /** Where the CA is kept (ca.pem, ca-key.pem), when not in the data dir: stacks that share one CA. */
  caDir?: string;
}

export interface Stack {
  url: string;
  /** Where ca.pem, aws.env and the admin key are (the data dir, or a temporary one in memory). */
  filesDir: string;
  /** The stack's CA certificate (PEM); undefined with `http`. */
  caPem?: string;
  stop(): Promise<void>;
}

type Handler = (event: unknown) => Promise<unknown>;

const REGION = "us-east-1";

/**
 * An access key made once per data dir and kept there (0600): the admin's, so kubeconfigs and aws.env stay
 * valid, and DynamoDB Local's, whose database is only visible to that key.
 */
function stackKey(dir: string, name: string): { accessKeyId: string; secretAccessKey: string } {
  const file = path.join(dir, name);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const alnum = (n: number) =>
    [...randomBytes(n)].map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[b % 32]).join("");
  const key = { accessKeyId: `AKIA${alnum(16)}`, secretAccessKey: randomBytes(30).toString("base64") };
  writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
  return key;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const stage = opts.stage ?? "local";
  const stops: (() => Promise<void>)[] = [];
  let ready = false;
  let server: ServerType | undefined;
  const stop = async () => {
    ready = false;
    if (server) {
      const http = server as unknown as { closeIdleConnections(): void; closeAllConnections(): void };
      const closed = new Promise<void>((r) => server!.close(() => r()));
      // close() waits for every open connection: idle keep-alives (held 65 s) and watches would hold a
      // shutdown for minutes. In-flight requests get a short grace, then every connection is cut.
      http.closeIdleConnections();
      const grace = setTimeout(() => http.closeAllConnections(), 2_000);
      await closed;
      clearTimeout(grace);
    }
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (e) {
        log("warn", "stop step failed", { error: String(e) });
      }
    }
  };
  try {
    const external = process.env.AWS_ENDPOINT_URL;
    let dynamo: DynamoLocal | undefined;
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
    const filesDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), "kumulus-"));
    if (!opts.dataDir) stops.push(async () => rmSync(filesDir, { recursive: true, force: true }));
    const tls = opts.http ? undefined : await loadOrCreateTls(opts.caDir ?? filesDir);
    const admin = stackKey(filesDir, "admin-key.json");
    process.env.KUMULUS_CA_DATA = tls?.caData ?? "";
    process.env.AWS_REGION ??= REGION;
    if (!external) {
      const key = stackKey(filesDir, "dynamodb-key.json");
      process.env.KUMULUS_DYNAMODB_ACCESS_KEY_ID = key.accessKeyId;
      process.env.KUMULUS_DYNAMODB_SECRET_ACCESS_KEY = key.secretAccessKey;
      dynamo = await startDynamoLocal({
        dataDir: opts.dataDir,
        accessKeyId: key.accessKeyId,
        region: process.env.AWS_REGION,
      });
      stops.push(() => dynamo!.stop());
      // fauxqs' own starter listens on every interface; its app, listened on loopback, is the same emulator.
      const { buildApp } = await import("fauxqs");
      const sqsApp = buildApp({ logger: false });
      const sqsAddress = await sqsApp.listen({ port: 0, host: "127.0.0.1" });
      stops.push(async () => {
        await sqsApp.close();
      });
      process.env.KUMULUS_DYNAMODB_ENDPOINT = dynamo.endpoint;
      process.env.KUMULUS_SQS_ENDPOINT = sqsAddress;
    }
    process.env.KUMULUS_STAGE = stage;
    resetRuntimeEnv();
    const env = runtimeEnv();
    const tables = await provisionTables(env.ddb, stage);
    const queues = await provisionQueues(env.sqs, stage);
    for (const [name, t] of Object.entries(tables)) process.env[tableEnvVar(name as TableName)] = t.name;
    for (const [name, q] of Object.entries(queues)) process.env[queueEnvVar(name as QueueName)] = q.url;
    resetRuntimeEnv();

    const streams = new DynamoDBStreamsClient({
      region: process.env.AWS_REGION,
      endpoint: process.env.KUMULUS_DYNAMODB_ENDPOINT ?? external,
      credentials: external ? undefined : localDynamoCredentials(),
    });
    // Handlers are loaded after the environment is set, exactly as Lambda loads them with theirs.
    const handlers = new Map<string, { handler: Handler; app?: Hono }>();
    for (const [name, fn] of Object.entries(functions)) {
      handlers.set(
        name,
        (await import(path.join(import.meta.dirname, "..", fn.entry))) as { handler: Handler; app?: Hono },
      );
    }
    // Pollers are started from the same trigger wiring the parity tests compare with the CDK template.
    for (const t of triggerWiring(stage)) {
      const handler = handlers.get(t.function)!.handler as never;
      if (t.type === "stream") {
        const poller = new StreamPoller(streams, {
          streamArn: tables[t.source as TableName].streamArn!,
          batchSize: t.batchSize,
          handler,
          checkpointFile: opts.dataDir
            ? path.join(opts.dataDir, `${t.function}.stream-checkpoint.json`)
            : undefined,
        });
        poller.start();
        const unsubscribe = onCommitted(() => poller.wake());
        stops.push(async () => {
          unsubscribe();
          await poller.stop();
        });
      } else if (t.type === "sqs") {
        const q = queues[t.source as QueueName];
        const poller = new SqsPoller(env.sqs, {
          queueUrl: q.url,
          queueArn: q.arn,
          batchSize: t.batchSize,
          maxConcurrency: t.maxConcurrency,
          handler,
        });
        poller.start();
        stops.push(() => poller.stop());
      } else {
        const everyMs = Number(process.env.KUMULUS_TICK_SECONDS ?? t.rateMinutes * 60) * 1000;
        const tick = handlers.get(t.function)!.handler;
        const timer = setInterval(
          () => void tick({ source: "aws.events", "detail-type": "Scheduled Event" }),
          everyMs,
        );
        stops.push(async () => clearInterval(timer));
      }
    }

    const api = handlers.get("apiserver")!.app!;
    const host = opts.host ?? "127.0.0.1";
    const wrapped = {
      fetch: (req: Request) =>
        req.url.endsWith("/readyz") && !ready ? new Response("not ready", { status: 503 }) : api.fetch(req),
    };
    const actualPort = await new Promise<number>((resolve, reject) => {
      server = serve(
        {
          fetch: wrapped.fetch,
          port: opts.port,
          hostname: host,
          ...(tls
            ? { createServer: createHttpsServer, serverOptions: { key: tls.keyPem, cert: tls.certPem } }
            : {}),
        },
        (info) => resolve(info.port),
      );
      server.on("error", reject);
      // Outlive clients' idle keep-alive (undici: 4 s) so a reused connection is never closed under a request.
      const http = server as unknown as { keepAliveTimeout: number; headersTimeout: number };
      http.keepAliveTimeout = 65_000;
      http.headersTimeout = 66_000;
    });
    const url = `${tls ? "https" : "http"}://${host}:${actualPort}`;
    process.env.KUMULUS_ENDPOINT = url;

    // Clusters are made through the EKS API, like any other, signed by the admin, who becomes their creator;
    // the first one gets the node group ng-default of `nodes` nodes.
    const region = process.env.AWS_REGION ?? REGION;
    // The admin is an IAM user with AdministratorAccess whose key (kept in admin-key.json) the kumulus
    // profile carries; an empty table gets the same key back, so old kubeconfigs and aws.env keep working.
    await ensureAdmin(
      new DynamoIamRepo(runtimeEnv().ddb, runtimeEnv().tables.identity),
      process.env.KUMULUS_ACCOUNT_ID ?? "000000000000",
      admin,
    );
    const eks = async (p: string, init: { method?: string; body?: string } = {}) => {
      const headers = { "content-type": "application/json" };
      const signed = await signedHeaders(`${url}${p}`, { ...init, headers }, admin, "eks", region);
      return api.fetch(new Request(`${url}${p}`, { ...init, headers: signed }));
    };
    for (const [i, name] of (opts.clusters ?? ["local"]).entries()) {
      const exists = await eks(`/clusters/${encodeURIComponent(name)}`);
      if (exists.status === 200) continue;
      const res = await eks("/clusters", {
        method: "POST",
        body: JSON.stringify({
          name,
          roleArn: `arn:aws:iam::000000000000:role/kumulus-cluster`,
          resourcesVpcConfig: {},
          nodes: i === 0 ? (opts.nodes ?? 0) : 0,
          ...(i === 0 && opts.nodeType ? { nodeType: opts.nodeType } : {}),
        }),
      });
      if (res.status !== 200) throw new Error(`creating cluster ${name}: ${res.status} ${await res.text()}`);
    }
    // The in-process SQS emulator starts empty: replay stored state so every loop resumes where it stopped.
    const { resyncAll } = await import("../lib/loops/resync.ts");
    const { defaultStore } = await import("../lib/runtime/store.ts");
    await resyncAll(defaultStore());
    await writeAwsEnv({
      dataDir: filesDir,
      endpoint: url,
      region: process.env.AWS_REGION ?? REGION,
      accessKeyId: admin.accessKeyId,
      secretAccessKey: admin.secretAccessKey,
      caFile: tls ? path.join(filesDir, "ca.pem") : undefined,
    });
    ready = true;
    log("info", "Kumulus is ready", { url, stage, dataDir: opts.dataDir ?? "(in memory)", files: filesDir });
    return { url, filesDir, caPem: tls?.caPem, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
