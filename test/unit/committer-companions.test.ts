import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../lib/api/types.ts";
import {
  ClusterCommitter,
  CommitConflictError,
  type Companion,
  CompanionConflictError,
  type WriteOp,
} from "../../lib/store/committer.ts";

// The group committer's companions (other objects and claims committed with a write, all or nothing) against
// an in-memory stand-in for DynamoDB that evaluates the committer's condition expressions.

type Item = Record<string, AttributeValue>;
const TABLES = { objects: "objects", clusters: "clusters", blobs: "blobs" };

class FakeDynamo {
  items = new Map<string, Item>();
  transactions: TransactWriteItem[][] = [];

  key(table: string, k: Item): string {
    return `${table}|${k.pk.S}|${k.sk?.S ?? k.sk?.N ?? ""}`;
  }

  async send(cmd: unknown): Promise<unknown> {
    if (cmd instanceof GetItemCommand)
      return { Item: this.items.get(this.key(cmd.input.TableName!, cmd.input.Key!)) };
    if (!(cmd instanceof TransactWriteItemsCommand)) throw new Error("unexpected command");
    const tx = cmd.input.TransactItems!;
    this.transactions.push(tx);
    const reasons = tx.map((t) => {
      const op = (t.Put ?? t.Update ?? t.Delete)!;
      const k = this.key(op.TableName!, t.Put ? t.Put.Item! : (t.Update ?? t.Delete)!.Key!);
      return {
        Code: this.holds(op.ConditionExpression, op.ExpressionAttributeValues, this.items.get(k))
          ? "None"
          : "ConditionalCheckFailed",
        Item: this.items.get(k),
      };
    });
    if (reasons.some((r) => r.Code !== "None"))
      throw Object.assign(new Error("cancelled"), {
        name: "TransactionCanceledException",
        CancellationReasons: reasons,
      });
    for (const t of tx) {
      if (t.Put) this.items.set(this.key(t.Put.TableName!, t.Put.Item!), t.Put.Item!);
      if (t.Delete) this.items.delete(this.key(t.Delete.TableName!, t.Delete.Key!));
      if (t.Update) {
        const k = this.key(t.Update.TableName!, t.Update.Key!);
        this.items.set(k, { ...this.items.get(k)!, rv: t.Update.ExpressionAttributeValues![":top"] });
      }
    }
    return { ConsumedCapacity: [] };
  }

  holds(cond: string | undefined, v: Record<string, AttributeValue> = {}, item: Item | undefined): boolean {
    switch (cond) {
      case undefined:
        return true;
      case "rv = :base":
        return item?.rv?.N === v[":base"].N;
      case "attribute_not_exists(pk) OR deleted = :t":
        return !item || item.deleted?.BOOL === true;
      case "rv = :expect AND attribute_not_exists(deleted)":
        return !!item && item.rv?.N === v[":expect"].N && !item.deleted;
      case "attribute_not_exists(pk) OR #owner = :owner":
        return !item || item.owner?.S === v[":owner"].S;
      default:
        throw new Error(`condition not understood: ${cond}`);
    }
  }
}

function setup() {
  const ddb = new FakeDynamo();
  ddb.items.set("clusters|c|", { pk: { S: "c" }, rv: { N: "0" } });
  const committer = new ClusterCommitter(ddb as unknown as DynamoDBClient, TABLES, "c");
  return { ddb, committer };
}

function obj(name: string, uid = name): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", uid } };
}

function create(name: string, companions?: Companion[]): WriteOp {
  return { pk: "c/core/configmaps", sk: `ns/${name}`, obj: obj(name), expect: { absent: true }, companions };
}

const claim = (value: number, owner: string): Companion => ({
  kind: "claim",
  pk: "c#claim#ip",
  sk: value,
  owner,
});
const release = (value: number, owner: string): Companion => ({
  kind: "release",
  pk: "c#claim#ip",
  sk: value,
  owner,
});

describe("committer companions", () => {
  it("adds nothing to a write without companions", async () => {
    const { ddb, committer } = setup();
    const r = await committer.submit(create("a"));
    expect(r.rv).toBe(1);
    expect(r.companions).toBeUndefined();
    expect(ddb.transactions).toHaveLength(1);
    expect(ddb.transactions[0]).toHaveLength(2); // the counter and the object
  });

  it("commits companion writes and claims with the write, each write with its own revision", async () => {
    const { ddb, committer } = setup();
    await committer.submit(create("quota"));
    const quota: Companion = {
      kind: "write",
      pk: "c/core/configmaps",
      sk: "ns/quota",
      obj: obj("quota"),
      expect: { rv: 1 },
    };
    const r = await committer.submit(create("a", [quota, claim(7, "a")]));
    expect(r.rv).toBe(2);
    expect(r.companions?.map((c) => c.rv)).toEqual([3]);
    expect(r.companions?.[0].obj.metadata.resourceVersion).toBe("3");
    expect(ddb.items.get("clusters|c|")?.rv.N).toBe("3");
    expect(ddb.items.get("blobs|c#claim#ip|7")?.owner.S).toBe("a");
    expect(ddb.transactions.at(-1)).toHaveLength(4);
  });

  it("fails the whole group when a claim is held by another owner, and nothing else", async () => {
    const { ddb, committer } = setup();
    await committer.submit(create("first", [claim(7, "first")]));
    const held = claim(7, "second");
    const [second, other] = await Promise.allSettled([
      committer.submit(create("second", [held])),
      committer.submit(create("other", [claim(8, "other")])),
    ]);
    expect(second.status).toBe("rejected");
    const err = (second as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(CompanionConflictError);
    expect((err as CompanionConflictError).failed).toEqual([held]);
    expect(ddb.items.has("objects|c/core/configmaps|ns/second")).toBe(false);
    expect(other.status).toBe("fulfilled");
    expect(ddb.items.get("blobs|c#claim#ip|8")?.owner.S).toBe("other");
    expect(ddb.items.get("blobs|c#claim#ip|7")?.owner.S).toBe("first");
  });

  it("lets an owner claim again what it holds", async () => {
    const { committer } = setup();
    const r = await committer.submit(create("a", [claim(7, "a")]));
    const again = await committer.submit({
      pk: "c/core/configmaps",
      sk: "ns/a",
      obj: obj("a"),
      expect: { rv: r.rv },
      companions: [claim(7, "a")],
    });
    expect(again.rv).toBe(r.rv + 1);
  });

  it("answers a conflict on the object itself before one on its companions", async () => {
    const { committer } = setup();
    await committer.submit(create("a", [claim(7, "a")]));
    const dup = create("a", [claim(7, "a2")]);
    await expect(committer.submit(dup)).rejects.toBeInstanceOf(CommitConflictError);
  });

  it("fails a companion write whose expected revision is stale", async () => {
    const { ddb, committer } = setup();
    await committer.submit(create("quota"));
    const stale: Companion = {
      kind: "write",
      pk: "c/core/configmaps",
      sk: "ns/quota",
      obj: obj("quota"),
      expect: { rv: 5 },
    };
    await expect(committer.submit(create("a", [stale]))).rejects.toBeInstanceOf(CompanionConflictError);
    expect(ddb.items.get("clusters|c|")?.rv.N).toBe("1");
  });

  it("releases what the owner holds and skips a release of another owner's claim", async () => {
    const { ddb, committer } = setup();
    const a = await committer.submit(create("a", [claim(7, "a")]));
    await committer.submit(create("b", [claim(8, "b")]));
    await committer.submit({
      pk: "c/core/configmaps",
      sk: "ns/a",
      obj: obj("a"),
      expect: { rv: a.rv },
      tombstone: true,
      companions: [release(7, "a"), release(8, "a"), release(9, "a")],
    });
    expect(ddb.items.has("blobs|c#claim#ip|7")).toBe(false);
    expect(ddb.items.get("blobs|c#claim#ip|8")?.owner.S).toBe("b");
    expect(ddb.items.get("objects|c/core/configmaps|ns/a")?.deleted?.BOOL).toBe(true);
  });

  it("answers many writers contending for one value in one transaction", async () => {
    const { ddb, committer } = setup();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => committer.submit(create(`s${i}`, [claim(7, `s${i}`)]))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(CompanionConflictError);
    expect(ddb.transactions).toHaveLength(1);
  });

  it("refuses a write whose companions touch one item twice, alone", async () => {
    const { committer } = setup();
    const [bad, good] = await Promise.allSettled([
      committer.submit(create("a", [claim(7, "a"), claim(7, "a")])),
      committer.submit(create("b")),
    ]);
    expect(bad.status).toBe("rejected");
    expect(good.status).toBe("fulfilled");
  });
});
