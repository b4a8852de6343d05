import { BatchWriteItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import type { Store } from "../store/store.ts";

// Deletes watch-log entries past their TTL, oldest first. DynamoDB's own TTL deletion does this on AWS (within
// days); DynamoDB Local does not, so the tick runs this sweep everywhere to keep the log small.
export async function sweepWatchLog(store: Store, cluster: string, nowMs = Date.now()): Promise<number> {
  let removed = 0;
  for (;;) {
    const out = await store.ddb.send(
      new QueryCommand({
        TableName: store.tables.watchlog,
        KeyConditionExpression: "pk = :c",
        ExpressionAttributeValues: { ":c": { S: cluster } },
        ProjectionExpression: "pk, sk, #ttl",
        ExpressionAttributeNames: { "#ttl": "ttl" },
        Limit: 100,
      }),
    );
    const expired = (out.Items ?? []).filter((it) => Number(it.ttl?.N ?? "0") * 1000 < nowMs);
    for (let i = 0; i < expired.length; i += 25) {
      await store.ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [store.tables.watchlog]: expired
              .slice(i, i + 25)
              .map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })),
          },
        }),
      );
    }
    removed += expired.length;
    if (expired.length < (out.Items ?? []).length || expired.length === 0) return removed;
  }
}
