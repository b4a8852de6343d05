import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { runtimeEnv } from "../runtime/env.ts";
import type { Instance, OfferingSelector } from "./instance.ts";
import { SimulatedCapacityProvider, type SimulatedProviderOptions } from "./provider.ts";
import { type CapacityStore, type InsertResult, selectorKey } from "./store.ts";

// The provider's records in the `capacity` table, all under pk = cluster:
//   sk = i-0123…            an instance (its fields as attributes; state is `#state`, a reserved word)
//   sk = ip#192.168.32.4    the lease of a live instance's address (attribute `instance`), written in the
//                           same transaction as the instance, deleted with its termination
//   sk = ipseq#us-east-1a   the zone's address counter (`n`), advanced with ADD
//   sk = offering#T#Z#C     an offering made unavailable by the knob (`*` for any)
// Conditional writes make launches from concurrent functions safe: an address is leased once, an instance id
// written once, and state changes only from the state the caller read.

type Item = Record<string, AttributeValue>;

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

const INSTANCE_PREFIX = "i-";
const LEASE_PREFIX = "ip#";
const COUNTER_PREFIX = "ipseq#";
const OFFERING_PREFIX = "offering#";

export function instanceItem(i: Instance): Item {
  const item: Item = {
    pk: S(i.cluster),
    sk: S(i.id),
    instanceType: S(i.instanceType),
    capacityType: S(i.capacityType),
    region: S(i.region),
    zone: S(i.zone),
    privateIp: S(i.privateIp),
    privateDnsName: S(i.privateDnsName),
    launchTime: S(i.launchTime),
    state: S(i.state),
    hourlyPrice: N(i.hourlyPrice),
    tags: { M: Object.fromEntries(Object.entries(i.tags).map(([k, v]) => [k, S(v)])) },
  };
  if (i.zoneId) item.zoneId = S(i.zoneId);
  if (i.terminatedTime) item.terminatedTime = S(i.terminatedTime);
  if (i.interruptionTime) item.interruptionTime = S(i.interruptionTime);
  if (i.fargate) {
    const f: Item = { vcpu: N(i.fargate.vcpu), memoryGB: N(i.fargate.memoryGB) };
    if (i.fargate.storageGB !== undefined) f.storageGB = N(i.fargate.storageGB);
    item.fargate = { M: f };
  }
  return item;
}

export function instanceFromItem(item: Item): Instance {
  const s = (k: string) => item[k]?.S;
  const i: Instance = {
    id: s("sk")!,
    cluster: s("pk")!,
    instanceType: s("instanceType")!,
    capacityType: s("capacityType") as Instance["capacityType"],
    region: s("region")!,
    zone: s("zone")!,
    privateIp: s("privateIp")!,
    privateDnsName: s("privateDnsName")!,
    launchTime: s("launchTime")!,
    state: s("state") as Instance["state"],
    hourlyPrice: Number(item.hourlyPrice?.N),
    tags: Object.fromEntries(Object.entries(item.tags?.M ?? {}).map(([k, v]) => [k, v.S ?? ""])),
  };
  if (s("zoneId")) i.zoneId = s("zoneId");
  if (s("terminatedTime")) i.terminatedTime = s("terminatedTime");
  if (s("interruptionTime")) i.interruptionTime = s("interruptionTime");
  const f = item.fargate?.M;
  if (f) {
    i.fargate = { vcpu: Number(f.vcpu?.N), memoryGB: Number(f.memoryGB?.N) };
    if (f.storageGB) i.fargate.storageGB = Number(f.storageGB.N);
  }
  return i;
}

const isConditionFailure = (e: unknown) => (e as Error)?.name === "ConditionalCheckFailedException";

export class DynamoCapacityStore implements CapacityStore {
  constructor(
    private readonly ddb: Pick<DynamoDBClient, "send">,
    private readonly table: string,
  ) {}

  async reserveAddresses(cluster: string, zone: string, count: number): Promise<number> {
    const out = await this.ddb.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: S(cluster), sk: S(`${COUNTER_PREFIX}${zone}`) },
        UpdateExpression: "ADD n :count",
        ExpressionAttributeValues: { ":count": N(count) },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(out.Attributes?.n?.N) - count;
  }

  async insert(instance: Instance): Promise<InsertResult> {
    try {
      await this.ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: instanceItem(instance),
                ConditionExpression: "attribute_not_exists(sk)",
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: {
                  pk: S(instance.cluster),
                  sk: S(`${LEASE_PREFIX}${instance.privateIp}`),
                  instance: S(instance.id),
                  zone: S(instance.zone),
                },
                ConditionExpression: "attribute_not_exists(sk)",
              },
            },
          ],
        }),
      );
      return "ok";
    } catch (e) {
      const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((e as Error).name !== "TransactionCanceledException" || !reasons) throw e;
      if (reasons[0]?.Code === "ConditionalCheckFailed") return "id-taken";
      if (reasons[1]?.Code === "ConditionalCheckFailed") return "address-taken";
      throw e;
    }
  }

  async get(cluster: string, id: string): Promise<Instance | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: S(cluster), sk: S(id) }, ConsistentRead: true }),
    );
    return out.Item && instanceFromItem(out.Item);
  }

  /** Every item of the cluster whose sort key starts with `prefix` (all of them without one). */
  private async query(cluster: string, prefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.ddb.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: prefix ? "pk = :pk AND begins_with(sk, :prefix)" : "pk = :pk",
          ExpressionAttributeValues: prefix
            ? { ":pk": S(cluster), ":prefix": S(prefix) }
            : { ":pk": S(cluster) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async list(cluster: string): Promise<Instance[]> {
    return (await this.query(cluster, INSTANCE_PREFIX)).map(instanceFromItem);
  }

  async markTerminated(
    cluster: string,
    id: string,
    expected: Instance["state"],
    terminatedTime: string,
  ): Promise<boolean> {
    const current = await this.get(cluster, id);
    if (!current || current.state !== expected) return false;
    try {
      await this.ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: { pk: S(cluster), sk: S(id) },
                UpdateExpression: "SET #state = :terminated, terminatedTime = :at",
                ConditionExpression: "#state = :expected",
                ExpressionAttributeNames: { "#state": "state" },
                ExpressionAttributeValues: {
                  ":terminated": S("terminated"),
                  ":at": S(terminatedTime),
                  ":expected": S(expected),
                },
              },
            },
            {
              // The lease goes with the instance (it is absent only if something removed it by hand).
              Delete: {
                TableName: this.table,
                Key: { pk: S(cluster), sk: S(`${LEASE_PREFIX}${current.privateIp}`) },
                ConditionExpression: "attribute_not_exists(sk) OR #instance = :id",
                ExpressionAttributeNames: { "#instance": "instance" },
                ExpressionAttributeValues: { ":id": S(id) },
              },
            },
          ],
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === "TransactionCanceledException") return false;
      throw e;
    }
  }

  async markInterrupted(
    cluster: string,
    id: string,
    interruptionTime: string,
    terminatedTime: string,
  ): Promise<boolean> {
    try {
      await this.ddb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: S(cluster), sk: S(id) },
          UpdateExpression: "SET #state = :interrupted, interruptionTime = :notice, terminatedTime = :at",
          ConditionExpression: "#state = :running AND capacityType = :spot",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: {
            ":interrupted": S("interrupted"),
            ":notice": S(interruptionTime),
            ":at": S(terminatedTime),
            ":running": S("running"),
            ":spot": S("spot"),
          },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async setUnavailable(cluster: string, selector: OfferingSelector, unavailable: boolean): Promise<void> {
    const Key = { pk: S(cluster), sk: S(`${OFFERING_PREFIX}${selectorKey(selector)}`) };
    if (!unavailable) {
      await this.ddb.send(new DeleteItemCommand({ TableName: this.table, Key }));
      return;
    }
    const item: Item = { ...Key };
    if (selector.instanceType !== undefined) item.instanceType = S(selector.instanceType);
    if (selector.zone !== undefined) item.zone = S(selector.zone);
    if (selector.capacityType !== undefined) item.capacityType = S(selector.capacityType);
    await this.ddb.send(new PutItemCommand({ TableName: this.table, Item: item }));
  }

  async unavailable(cluster: string): Promise<OfferingSelector[]> {
    return (await this.query(cluster, OFFERING_PREFIX)).map((item) => {
      const s: OfferingSelector = {};
      if (item.instanceType?.S) s.instanceType = item.instanceType.S;
      if (item.zone?.S) s.zone = item.zone.S;
      if (item.capacityType?.S) s.capacityType = item.capacityType.S as OfferingSelector["capacityType"];
      return s;
    });
  }

  async purge(cluster: string): Promise<void> {
    const keys = (await this.query(cluster)).map((item) => ({ pk: item.pk, sk: item.sk }));
    for (let i = 0; i < keys.length; i += 25) {
      let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const out = await this.ddb.send(
          new BatchWriteItemCommand({ RequestItems: { [this.table]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.table] ?? []) as typeof requests;
        if (attempt > 10 && requests.length) throw new Error(`could not purge the capacity of ${cluster}`);
      }
    }
  }
}

/** The provider over the `capacity` table of this function's environment. */
export function dynamoCapacityProvider(
  opts: Omit<SimulatedProviderOptions, "store"> = {},
): SimulatedCapacityProvider {
  const env = runtimeEnv();
  return new SimulatedCapacityProvider({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    ...opts,
    store: new DynamoCapacityStore(env.ddb, env.tables.capacity),
  });
}
