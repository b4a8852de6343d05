import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { claimPartitionKey, partitionKey } from "./keys.ts";
import type { Store } from "./store.ts";

// The service-level document of a cluster (what the EKS API knows about it), kept in the cluster's registry
// item next to its revision counter. Writes are compare-and-swap on `docv`; the committer conditions only on
// `rv`, so the two never contend. A removed cluster keeps its item (and counter) with `deleted` set: a cluster
// created again under the same name continues the revision sequence, so old watch-log entries can never be
// mistaken for new ones. The few attributes the API server reads per request (version, service CIDR) are
// kept beside the document so it never parses it.

export interface StoredDoc {
  doc: string;
  version: number;
}

/** Attributes the API server reads from a cluster's item. */
export interface ClusterAttributes {
  version: string;
  serviceCidr: string;
  arn: string;
}

function attrs(a: ClusterAttributes): Record<string, AttributeValue> {
  return { ":ver": { S: a.version }, ":cidr": { S: a.serviceCidr }, ":arn": { S: a.arn } };
}

const SET_ATTRS = "version = :ver, serviceCidr = :cidr, arn = :arn";

/**
 * Writes a new cluster's document; false when a live cluster of that name exists, "revived" when a removed
 * one did (whose leftovers the caller should sweep before bootstrapping).
 */
export async function createClusterDoc(
  store: Store,
  name: string,
  doc: string,
  a: ClusterAttributes,
): Promise<false | "created" | "revived"> {
  const now = Date.now();
  try {
    const out = await store.ddb.send(
      new UpdateItemCommand({
        TableName: store.tables.clusters,
        Key: { pk: { S: name } },
        UpdateExpression: `SET doc = :doc, docv = :one, rv = if_not_exists(rv, :zero), createdAt = :created, updatedAt = if_not_exists(updatedAt, :now), ${SET_ATTRS} REMOVE deleted, suspended`,
        ConditionExpression:
          "attribute_not_exists(pk) OR attribute_exists(deleted) OR attribute_not_exists(doc)",
        ExpressionAttributeValues: {
          ":doc": { S: doc },
          ":one": { N: "1" },
          ":zero": { N: "0" },
          ":created": { S: new Date(now).toISOString() },
          ":now": { N: String(now) },
          ...attrs(a),
        },
        ReturnValues: "UPDATED_OLD",
      }),
    );
    return out.Attributes?.deleted || out.Attributes?.suspended ? "revived" : "created";
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

export async function replaceClusterDoc(
  store: Store,
  name: string,
  doc: string,
  version: number,
  a: ClusterAttributes,
): Promise<boolean> {
  try {
    await store.ddb.send(
      new UpdateItemCommand({
        TableName: store.tables.clusters,
        Key: { pk: { S: name } },
        UpdateExpression: `SET doc = :doc, docv = :next, ${SET_ATTRS}`,
        ConditionExpression: "docv = :v AND attribute_not_exists(deleted)",
        ExpressionAttributeValues: {
          ":doc": { S: doc },
          ":v": { N: String(version) },
          ":next": { N: String(version + 1) },
          ...attrs(a),
        },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

export async function getClusterDoc(store: Store, name: string): Promise<StoredDoc | undefined> {
  const out = await store.ddb.send(
    new GetItemCommand({ TableName: store.tables.clusters, Key: { pk: { S: name } }, ConsistentRead: true }),
  );
  const it = out.Item;
  if (!it?.doc?.S || it.deleted) return undefined;
  return { doc: it.doc.S, version: Number(it.docv?.N ?? "0") };
}

export async function listClusterDocs(store: Store): Promise<string[]> {
  const out: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await store.ddb.send(
      new ScanCommand({
        TableName: store.tables.clusters,
        ExclusiveStartKey: start,
        ConsistentRead: true,
        FilterExpression: "attribute_exists(doc) AND attribute_not_exists(deleted)",
        ProjectionExpression: "doc",
      }),
    );
    for (const it of page.Items ?? []) if (it.doc?.S) out.push(it.doc.S);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Marks the cluster gone; its item (and revision counter) stays. */
export async function removeClusterDoc(store: Store, name: string): Promise<void> {
  await store.ddb
    .send(
      new UpdateItemCommand({
        TableName: store.tables.clusters,
        Key: { pk: { S: name } },
        UpdateExpression: "SET deleted = :t REMOVE doc, docv",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":t": { BOOL: true } },
      }),
    )
    .catch((e) => {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    });
}

/**
 * Stops serving a cluster (the API answers 404 for it, so loops still holding work items find nothing) while
 * its data is removed; its document stays for the EKS API to report DELETING.
 */
export async function suspendCluster(store: Store, name: string): Promise<void> {
  await store.ddb
    .send(
      new UpdateItemCommand({
        TableName: store.tables.clusters,
        Key: { pk: { S: name } },
        UpdateExpression: "SET suspended = :t",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":t": { BOOL: true } },
      }),
    )
    .catch((e) => {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    });
}

/** Deletes every stored object of these kinds in the cluster, and its unique-value claims. */
export async function deleteClusterData(
  store: Store,
  cluster: string,
  kinds: { group: string; plural: string }[],
): Promise<number> {
  const parts = [
    ...kinds.map((k) => ({ table: store.tables.objects, pk: partitionKey({ cluster, ...k }) })),
    ...["clusterip", "nodeport"].map((space) => ({
      table: store.tables.blobs,
      pk: claimPartitionKey(cluster, space),
    })),
  ];
  let count = 0;
  for (const { table, pk } of parts) {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await store.ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: pk } },
          ProjectionExpression: "pk, sk",
          ExclusiveStartKey: start,
        }),
      );
      const keys = (page.Items ?? []).map((it) => ({ pk: it.pk, sk: it.sk }));
      for (let i = 0; i < keys.length; i += 25) {
        let batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
        while (batch.length > 0) {
          const out = await store.ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
          batch = (out.UnprocessedItems?.[table] ?? []) as typeof batch;
        }
      }
      count += keys.length;
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return count;
}
