import { type AttributeValue, QueryCommand } from "@aws-sdk/client-dynamodb";
import type { KubeObject } from "../api/types.ts";
import { decodeBody } from "../store/codec.ts";
import type { Store } from "../store/store.ts";
import { watchConfig } from "./config.ts";
import { waitForLog } from "./notify.ts";
import type { EventType } from "./router.ts";

// Reads a cluster's watch log in revision order. Revisions are gapless (see store/committer.ts), so a missing
// revision is either not routed yet (wait) or gone (compacted, or lost when a crash beat the stream router):
// the reader waits for it and, once newer events are older than the gap timeout, reports the history as
// expired so the client relists. It never skips a revision.

export class ExpiredError extends Error {
  constructor(rv: number) {
    super(`too old resource version: ${rv}`);
  }
}

export interface LogEntry {
  rv: number;
  type: EventType;
  group: string;
  plural: string;
  namespace: string;
  name: string;
  object(): Promise<KubeObject>;
  previous(): KubeObject | undefined;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

/** Yields batches of contiguous log entries after `fromRv`, forever (until aborted). */
export async function* readLog(
  store: Store,
  cluster: string,
  fromRv: number,
  opts: ReadOptions = {},
): AsyncGenerator<LogEntry[]> {
  const cfg = watchConfig();
  let next = fromRv + 1;
  const started = Date.now();
  let checkedStart = false;
  while (!opts.signal?.aborted) {
    const items = await query(store, cluster, next - 1);
    const now = Date.now();
    // DynamoDB deletes expired items lazily (DynamoDB Local not at all): expiry is decided here.
    const live = items.filter((it) => Number(it.ttl?.N ?? "0") * 1000 > now);
    const batch: LogEntry[] = [];
    let gapAt: Record<string, AttributeValue> | undefined;
    for (const it of live) {
      const rv = Number(it.sk.N);
      if (rv !== next) {
        gapAt = it;
        break;
      }
      batch.push(entry(store, it));
      next++;
    }
    if (batch.length > 0) {
      checkedStart = true;
      yield batch;
      if (!gapAt && items.length >= PAGE) continue;
    } else if (gapAt) {
      const routedAt = Number(gapAt.at?.N ?? "0");
      if (now - routedAt > cfg.gapTimeoutMs) throw new ExpiredError(next - 1);
    } else if (!checkedStart) {
      // Nothing after fromRv yet: fine if the cluster has no newer revision, expired if it has and the history
      // that would hold it is older than the retention window.
      const cur = await store.currentRevision(cluster);
      if (cur && cur.rv >= next && now - cur.updatedAt > cfg.retentionSeconds * 1000 && now - started > 0) {
        throw new ExpiredError(next - 1);
      }
      if (cur && cur.rv < next) checkedStart = true;
    }
    await waitForLog(cluster, cfg.pollMs, opts.signal);
  }
}

const PAGE = 500;

async function query(
  store: Store,
  cluster: string,
  after: number,
): Promise<Record<string, AttributeValue>[]> {
  const out = await store.ddb.send(
    new QueryCommand({
      TableName: store.tables.watchlog,
      KeyConditionExpression: "pk = :c AND sk > :after",
      ExpressionAttributeValues: { ":c": { S: cluster }, ":after": { N: String(after) } },
      ConsistentRead: true,
      Limit: PAGE,
    }),
  );
  return out.Items ?? [];
}

function entry(store: Store, it: Record<string, AttributeValue>): LogEntry {
  const r = it.r.S!;
  const slash = r.indexOf("/");
  let cached: Promise<KubeObject> | undefined;
  return {
    rv: Number(it.sk.N),
    type: it.t.S as EventType,
    group: r.slice(0, slash),
    plural: r.slice(slash + 1),
    namespace: it.ns?.S ?? "",
    name: it.n.S!,
    object() {
      cached ??= it.body?.B
        ? Promise.resolve(decodeBody(it.body.B))
        : store.decodeItem({ pk: { S: "" }, sk: { S: "" }, ...blobRef(it) });
      return cached;
    },
    previous() {
      return it.prev?.B ? decodeBody(it.prev.B) : undefined;
    },
  };
}

/** Log entries of large objects point at their chunks by blob key; reuse the store's chunk reader. */
function blobRef(it: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const bpk = it.bpk!.S!;
  const [pk, sk, rv] = bpk.split("|");
  return { pk: { S: pk }, sk: { S: sk }, chunkRv: { N: rv }, chunks: { N: "-1" } };
}
