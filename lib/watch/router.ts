import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  UpdateItemCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { KubeObject } from "../api/types.ts";
import { log } from "../log.ts";
import { decodeBody } from "../store/codec.ts";
import { blobPartitionKey, parsePartitionKey } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import { watchConfig } from "./config.ts";
import { notifyLogged } from "./notify.ts";

// The stream router turns the objects table's stream into the watch log: one entry per committed revision,
// keyed (cluster, rv). Entries are idempotent puts, so redelivered or reordered stream batches are harmless.
// Tombstones (deletes) become DELETED events and are then removed from the objects table.

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface Change {
  cluster: string;
  group: string;
  plural: string;
  namespace: string;
  name: string;
  type: EventType;
  rv: number;
  /** The object (the final state for DELETED), decoded only for kinds whose routing needs it. */
  object?: KubeObject;
}

export type ChangeSink = (changes: Change[]) => Promise<void>;

type Image = Record<string, AttributeValue>;

/** Lambda hands stream images with binary attributes as base64 strings; the SDK uses bytes. */
export function fromLambdaImage(img: Record<string, unknown> | undefined): Image | undefined {
  if (!img) return undefined;
  const out: Image = {};
  for (const [k, v] of Object.entries(img)) {
    const a = v as Record<string, unknown>;
    if (typeof a.B === "string") out[k] = { B: Buffer.from(a.B, "base64") };
    else out[k] = a as unknown as AttributeValue;
  }
  return out;
}

const MAX_LOG_ITEM = 390 * 1024;

interface Routed {
  change: Change;
  put: Image;
  after: (() => Promise<unknown>)[];
}

export class StreamRouter {
  constructor(
    private readonly store: Store,
    private readonly sink?: ChangeSink,
    /** `group/plural` of kinds whose changes the sink needs decoded (the loops' routes read them). */
    private readonly objectKinds: ReadonlySet<string> = new Set(),
  ) {}

  async handle(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    const routed: Routed[] = [];
    for (const rec of event.Records) {
      const r = this.route(rec);
      if (r) routed.push(r);
    }
    if (routed.length === 0) return { batchItemFailures: [] };
    try {
      await this.writeLog(routed.map((r) => r.put));
      const byCluster = new Set(routed.map((r) => r.change.cluster));
      for (const c of byCluster) notifyLogged(c);
      await Promise.all(routed.flatMap((r) => r.after.map((f) => f())));
      if (this.sink) await this.sink(routed.map((r) => r.change));
      return { batchItemFailures: [] };
    } catch (e) {
      log("error", "stream router batch failed", { error: String(e), records: event.Records.length });
      // Everything from the first record is retried; log writes are idempotent.
      const first = event.Records[0]?.dynamodb?.SequenceNumber ?? "";
      return { batchItemFailures: [{ itemIdentifier: first }] };
    }
  }

  private route(rec: DynamoDBRecord): Routed | undefined {
    if (rec.eventName === "REMOVE") return undefined; // tombstone cleanup or TTL: the DELETED event came earlier
    const img = fromLambdaImage(rec.dynamodb?.NewImage as Record<string, unknown>);
    const old = fromLambdaImage(rec.dynamodb?.OldImage as Record<string, unknown>);
    if (!img?.pk?.S || !img.sk?.S || !img.rv?.N) return undefined;
    const { cluster, group, plural } = parsePartitionKey(img.pk.S);
    const slash = img.sk.S.indexOf("/");
    const namespace = img.sk.S.slice(0, slash);
    const name = img.sk.S.slice(slash + 1);
    const rv = Number(img.rv.N);
    const deleted = img.deleted?.BOOL === true;
    const type: EventType = deleted ? "DELETED" : !old || old.deleted?.BOOL ? "ADDED" : "MODIFIED";
    const now = Date.now();
    const cfg = watchConfig();
    const ttl = Math.floor(now / 1000) + cfg.retentionSeconds;
    const put: Image = {
      pk: { S: cluster },
      sk: { N: String(rv) },
      t: { S: type },
      r: { S: `${group}/${plural}` },
      ns: { S: namespace },
      n: { S: name },
      at: { N: String(now) },
      ttl: { N: String(ttl) },
    };
    if (img.body?.B) put.body = { B: img.body.B };
    else put.bpk = { S: blobPartitionKey(img.pk.S, img.sk.S, Number(img.chunkRv?.N)) };
    // The previous body lets selector-filtered watches turn "stopped matching" into DELETED.
    if (
      type === "MODIFIED" &&
      old?.body?.B &&
      (put.body?.B?.length ?? 0) + old.body.B.length < MAX_LOG_ITEM
    ) {
      put.prev = { B: old.body.B };
    }
    const after: (() => Promise<unknown>)[] = [];
    const chunkTtl = ttl + 3600;
    if (old?.chunkRv?.N && old.chunkRv.N !== img.chunkRv?.N) {
      after.push(() =>
        this.expireChunks(
          blobPartitionKey(old.pk.S!, old.sk.S!, Number(old.chunkRv!.N)),
          Number(old.chunks?.N),
          chunkTtl,
        ),
      );
    }
    if (deleted) {
      if (img.chunkRv?.N) {
        after.push(() => this.expireChunks(put.bpk!.S!, Number(img.chunks?.N), chunkTtl));
      }
      after.push(() => this.removeTombstone(img.pk.S!, img.sk.S!, rv));
    }
    const object =
      this.sink && img.body?.B && this.objectKinds.has(`${group}/${plural}`)
        ? decodeBody(img.body.B)
        : undefined;
    return { change: { cluster, group, plural, namespace, name, type, rv, object }, put, after };
  }

  private async writeLog(puts: Image[]): Promise<void> {
    const table = this.store.tables.watchlog;
    for (let i = 0; i < puts.length; i += 25) {
      let req: WriteRequest[] = puts.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; req.length > 0; attempt++) {
        if (attempt > 8) throw new Error("watch log writes stayed unprocessed");
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out = await this.store.ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: req } }));
        req = out.UnprocessedItems?.[table] ?? [];
      }
    }
  }

  private async expireChunks(bpk: string, count: number, ttl: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.store.ddb
        .send(
          new UpdateItemCommand({
            TableName: this.store.tables.blobs,
            Key: { pk: { S: bpk }, sk: { N: String(i) } },
            UpdateExpression: "SET #ttl = :ttl",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: { "#ttl": "ttl" },
            ExpressionAttributeValues: { ":ttl": { N: String(ttl) } },
          }),
        )
        .catch((e) => {
          if ((e as Error).name !== "ConditionalCheckFailedException") throw e;
        });
    }
  }

  private async removeTombstone(pk: string, sk: string, rv: number): Promise<void> {
    try {
      await this.store.ddb.send(
        new DeleteItemCommand({
          TableName: this.store.tables.objects,
          Key: { pk: { S: pk }, sk: { S: sk } },
          ConditionExpression: "rv = :rv AND deleted = :t",
          ExpressionAttributeValues: { ":rv": { N: String(rv) }, ":t": { BOOL: true } },
        }),
      );
    } catch (e) {
      // Re-created since: the newer object must stay.
      if ((e as Error).name !== "ConditionalCheckFailedException") throw e;
    }
  }
}
