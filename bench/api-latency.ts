import {
  CreateTableCommand,
  DeleteTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { runtimeEnv } from "../lib/runtime/env.ts";
import { defaultStore } from "../lib/runtime/store.ts";
import { api, benchStack, report, round, runConcurrent, summarize } from "./lib.ts";

// API latency: create, get, update and list with 1, 8 and 32 concurrent clients, next to raw DynamoDB Local
// PutItem/GetItem at the same concurrency, so each API operation can be read as a multiple of its storage cost.

const PER_LEVEL = Number(process.env.BENCH_OPS ?? 300);
const LEVELS = [1, 8, 32];

const stack = await benchStack();
const base = `${stack.url}/clusters/bench`;
const env = runtimeEnv();
const store = defaultStore();
const raw = "kumulus-bench-raw";
await env.ddb.send(
  new CreateTableCommand({
    TableName: raw,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
  }),
);
const payload = Buffer.alloc(600, 7);

const cm = (name: string, v: number, rv?: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels: { bench: "api" }, ...(rv ? { resourceVersion: rv } : {}) },
  data: { value: String(v), filler: "x".repeat(400) },
});

const rows: Record<string, unknown>[] = [];
for (const c of LEVELS) {
  const ns = `lat-${c}`;
  await api(base, "POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: ns },
  });
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const rvs: string[] = [];
  const w0 = store.committer("bench").stats.writeUnits;
  const create = await runConcurrent(PER_LEVEL, c, async (i) => {
    const r = await api(base, "POST", path, cm(`cm-${i}`, 0));
    if (r.status !== 201) throw new Error(`create ${r.status}`);
    rvs[i] = r.body.metadata.resourceVersion;
  });
  const createWcu = (store.committer("bench").stats.writeUnits - w0) / PER_LEVEL;
  const r0 = store.consumed.read;
  const get = await runConcurrent(PER_LEVEL, c, async (i) => {
    const r = await api(base, "GET", `${path}/cm-${i}`);
    if (r.status !== 200) throw new Error(`get ${r.status}`);
  });
  const getRcu = (store.consumed.read - r0) / PER_LEVEL;
  const w1 = store.committer("bench").stats.writeUnits;
  const update = await runConcurrent(PER_LEVEL, c, async (i) => {
    const r = await api(base, "PUT", `${path}/cm-${i}`, cm(`cm-${i}`, 1, rvs[i]));
    if (r.status !== 200) throw new Error(`update ${r.status}`);
  });
  const updateWcu = (store.committer("bench").stats.writeUnits - w1) / PER_LEVEL;
  const r1 = store.consumed.read;
  const listOps = Math.max(20, Math.floor(PER_LEVEL / 10));
  const list = await runConcurrent(listOps, c, async () => {
    const r = await api(base, "GET", `${path}?limit=50`);
    if (r.status !== 200) throw new Error(`list ${r.status}`);
  });
  const listRcu = (store.consumed.read - r1) / listOps;
  const rawPut = await runConcurrent(PER_LEVEL, c, async (i) => {
    await env.ddb.send(
      new PutItemCommand({
        TableName: raw,
        Item: { pk: { S: `c${c}` }, sk: { S: String(i) }, body: { B: payload } },
      }),
    );
  });
  const rawGet = await runConcurrent(PER_LEVEL, c, async (i) => {
    await env.ddb.send(
      new GetItemCommand({
        TableName: raw,
        Key: { pk: { S: `c${c}` }, sk: { S: String(i) } },
        ConsistentRead: true,
      }),
    );
  });
  // The write path's storage floor: the same two-item transaction (counter + object) a create commits.
  const rawTx = await runConcurrent(PER_LEVEL, c, async (i) => {
    await env.ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: raw,
              Key: { pk: { S: `tx${c}` }, sk: { S: `counter-${i % c}` } },
              UpdateExpression: "ADD n :one",
              ExpressionAttributeValues: { ":one": { N: "1" } },
            },
          },
          {
            Put: {
              TableName: raw,
              Item: { pk: { S: `tx${c}` }, sk: { S: String(i) }, body: { B: payload } },
            },
          },
        ],
      }),
    );
  });
  const s = {
    create: summarize(create.latencies),
    get: summarize(get.latencies),
    update: summarize(update.latencies),
    list: summarize(list.latencies),
    rawPut: summarize(rawPut.latencies),
    rawGet: summarize(rawGet.latencies),
    rawTx: summarize(rawTx.latencies),
  };
  rows.push({
    concurrency: c,
    ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { p50: v.p50, p99: v.p99 }])),
    opsPerSec: {
      create: round(PER_LEVEL / create.seconds, 0),
      get: round(PER_LEVEL / get.seconds, 0),
      update: round(PER_LEVEL / update.seconds, 0),
      list: round(listOps / list.seconds, 0),
      rawPut: round(PER_LEVEL / rawPut.seconds, 0),
      rawGet: round(PER_LEVEL / rawGet.seconds, 0),
      rawTx: round(PER_LEVEL / rawTx.seconds, 0),
    },
    ratioP50: {
      create: round(s.create.p50 / s.rawPut.p50),
      update: round(s.update.p50 / s.rawPut.p50),
      createVsTx: round(s.create.p50 / s.rawTx.p50),
      get: round(s.get.p50 / s.rawGet.p50),
    },
    units: {
      createWcu: round(createWcu),
      updateWcu: round(updateWcu),
      getRcu: round(getRcu),
      list50Rcu: round(listRcu),
    },
  });
}
await env.ddb.send(new DeleteTableCommand({ TableName: raw }));
await stack.stop();

const md = [
  "## API latency (`bench/api-latency.ts`)",
  "",
  `${PER_LEVEL} operations per kind and concurrency level, through HTTP → Hono → DynamoDB Local. Raw = one`,
  "PutItem / consistent GetItem of a 600-byte item on the same DynamoDB Local. Ratio = API p50 ÷ raw p50.",
  "",
  "Raw tx = the two-item TransactWriteItems (counter + object) every write commits: the write path's floor.",
  "",
  "| clients | op | p50 ms | p99 ms | ops/s | raw p50 ms | ratio | raw tx p50 ms (ratio) |",
  "|---|---|---|---|---|---|---|---|",
  ...rows.flatMap((r: any) => [
    `| ${r.concurrency} | create | ${r.create.p50} | ${r.create.p99} | ${r.opsPerSec.create} | ${r.rawPut.p50} | ${r.ratioP50.create}× | ${r.rawTx.p50} (${r.ratioP50.createVsTx}×) |`,
    `| ${r.concurrency} | get | ${r.get.p50} | ${r.get.p99} | ${r.opsPerSec.get} | ${r.rawGet.p50} | ${r.ratioP50.get}× | |`,
    `| ${r.concurrency} | update | ${r.update.p50} | ${r.update.p99} | ${r.opsPerSec.update} | ${r.rawPut.p50} | ${r.ratioP50.update}× | |`,
    `| ${r.concurrency} | list (50) | ${r.list.p50} | ${r.list.p99} | ${r.opsPerSec.list} | | | |`,
  ]),
  "",
  "DynamoDB capacity units per operation (from ReturnConsumedCapacity; transactional writes count double):",
  "",
  "| clients | create WCU | update WCU | get RCU | list of 50 RCU |",
  "|---|---|---|---|---|",
  ...rows.map(
    (r: any) =>
      `| ${r.concurrency} | ${r.units.createWcu} | ${r.units.updateWcu} | ${r.units.getRcu} | ${r.units.list50Rcu} |`,
  ),
].join("\n");
report("api-latency", { perLevel: PER_LEVEL, rows }, md);
process.exit(0);
