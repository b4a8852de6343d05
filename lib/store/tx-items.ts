import type { AttributeValue, TransactWriteItem } from "@aws-sdk/client-dynamodb";
import type { KubeObject } from "../api/types.ts";
import { encodeBody, MAX_INLINE_BYTES, splitChunks } from "./codec.ts";
import type { ClaimOp, CommitterTables, Expectation } from "./committer.ts";
import { blobPartitionKey } from "./keys.ts";

// The transaction items of one object write (the object, plus chunks of a large body) and of one claim.

/** Tombstones are removed by the stream router; the TTL only cleans up after a router that never ran. */
const TOMBSTONE_TTL_SECONDS = 24 * 3600;

export function claimItem(tables: CommitterTables, c: ClaimOp): TransactWriteItem {
  const key = { pk: { S: c.pk }, sk: { N: String(c.sk) } };
  const condition = {
    ConditionExpression: "attribute_not_exists(pk) OR #owner = :owner",
    ExpressionAttributeNames: { "#owner": "owner" },
    ExpressionAttributeValues: { ":owner": { S: c.owner } },
  };
  if (c.kind === "release") return { Delete: { TableName: tables.blobs, Key: key, ...condition } };
  const item: Record<string, AttributeValue> = { ...key, owner: { S: c.owner } };
  if (c.ref) item.ref = { S: c.ref };
  return { Put: { TableName: tables.blobs, Item: item, ...condition } };
}

export function objectItems(
  tables: CommitterTables,
  pk: string,
  sk: string,
  source: KubeObject,
  expect: Expectation,
  rv: number,
  tombstone: boolean | undefined,
): { items: TransactWriteItem[]; size: number; obj: KubeObject } {
  const obj: KubeObject = { ...source, metadata: { ...source.metadata, resourceVersion: String(rv) } };
  const body = encodeBody(obj);
  const item: Record<string, AttributeValue> = {
    pk: { S: pk },
    sk: { S: sk },
    rv: { N: String(rv) },
  };
  const items: TransactWriteItem[] = [];
  if (body.length <= MAX_INLINE_BYTES) {
    item.body = { B: body };
  } else {
    const chunks = splitChunks(body);
    const bpk = blobPartitionKey(pk, sk, rv);
    chunks.forEach((c, i) => {
      items.push({
        Put: {
          TableName: tables.blobs,
          Item: { pk: { S: bpk }, sk: { N: String(i) }, data: { B: c } },
        },
      });
    });
    item.chunks = { N: String(chunks.length) };
    item.chunkRv = { N: String(rv) };
  }
  if (tombstone) {
    item.deleted = { BOOL: true };
    item.ttl = { N: String(Math.floor(Date.now() / 1000) + TOMBSTONE_TTL_SECONDS) };
  }
  const values: Record<string, AttributeValue> = {};
  let condition: string;
  if ("absent" in expect) {
    condition = "attribute_not_exists(pk) OR deleted = :t";
    values[":t"] = { BOOL: true };
  } else {
    condition = "rv = :expect AND attribute_not_exists(deleted)";
    values[":expect"] = { N: String(expect.rv) };
  }
  items.unshift({
    Put: {
      TableName: tables.objects,
      Item: item,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    },
  });
  return { items, size: body.length + 200 * items.length, obj };
}
